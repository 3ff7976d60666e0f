//! Any bytes as a policy file: the front end (decode, parse, check,
//! compile), the diagnostics in every output format, and the formatter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    kpi::fuzzing::policy_text(bytes);
});
