//! A policy and a data file: everything `kpi eval` and `kpi explain` do
//! with them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    kpi::fuzzing::policy_and_data(bytes);
});
