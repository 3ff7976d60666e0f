//! Peak memory of `kpi eval` on CSV as the number of rows grows. Each size
//! runs in a fresh child process (this same binary, re-run with `--child`),
//! which reports its own peak resident set from /proc/self/status.
//!
//! First the I/O floor: the csv crate alone reading the file and writing it
//! back. Then three pipelines. `batch::run_rendered` as `kpi eval` runs it, and the same reading,
//! evaluating and writing without the check for repeated employee ids, both
//! on the foreign-trade policy without its `quotas` block (a streaming
//! policy): the second shows streaming keeps memory flat; the difference is
//! the check's per-employee table (each id, its hash and the row it was
//! first seen on). Then the policy as it is, with forced ranking, which
//! reads the file twice (src/batch/ranked.rs): its time is to be within
//! twice the streaming run's beside it, its memory a few dozen bytes per
//! employee. `KPI_BENCH_10M=1` adds ten million rows to both (a 1.3 GB
//! file, made once under the temporary directory).
//!
//! cargo bench --bench memory

// Benchmarks stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The allocator the `kpi` binary uses (src/main.rs), so that the pipeline
// runs as `kpi eval` runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const POLICY: &str = "policies/foreign_trade_sales.kpi";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let rows = args.get(i + 1).and_then(|r| r.parse().ok()).unwrap_or(1000);
        child(rows);
        return;
    }
    let exe = std::env::current_exe().expect("the bench's own path");
    println!("CSV in, evaluate, CSV out; policy {POLICY}");
    println!(
        "{:<28}  {:>10}  {:>14}  {:>10}",
        "pipeline", "rows", "peak RSS (MB)", "seconds"
    );
    let large: &[usize] = if std::env::var_os("KPI_BENCH_10M").is_some() {
        &[100_000, 1_000_000, 10_000_000]
    } else {
        &[100_000, 1_000_000]
    };
    let runs: [(&str, &[usize]); 4] = [
        ("csv crate alone (I/O floor)", &[100_000, 1_000_000]),
        ("kpi eval (run_rendered)", large),
        ("without the repeated-id check", &[100_000, 1_000_000]),
        ("forced ranking (two passes)", large),
    ];
    for (pipeline, sizes) in runs {
        for &rows in sizes {
            let data = data_file(rows);
            let mut command = Command::new(&exe);
            command
                .args(["--child", &rows.to_string()])
                .env("KPI_BENCH_DATA", &data);
            if pipeline.starts_with("without") {
                command.arg("--plain");
            }
            if pipeline.starts_with("forced") {
                command.arg("--ranked");
            }
            if pipeline.starts_with("csv crate") {
                command.arg("--floor");
            }
            let out = command.output().expect("the child runs");
            print!("{pipeline:<28}  {}", String::from_utf8_lossy(&out.stdout));
            if !out.status.success() {
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
}

/// The policy; without its `quotas` block unless `ranked`.
fn policy(ranked: bool) -> kpi::program::Program {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join(POLICY)).expect("the policy");
    if !ranked {
        let start = text.find("  quotas {").expect("the policy has quotas");
        let end = start + text[start..].find("\n  }\n").expect("the block ends") + 5;
        text.replace_range(start..end, "");
    }
    kpi::compile(&kpi::source::Source::new(POLICY, text))
        .expect("the policy compiles")
        .program
}

/// A generated data file of `rows` employees, made once and kept.
fn data_file(rows: usize) -> PathBuf {
    let dir = std::env::temp_dir().join("kpi-bench");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    // The file's name carries its columns' fingerprint: a file made for an
    // older version of the policy is not reused.
    let program = policy(false);
    let policy = program.policy();
    let mut columns = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(
        &(
            &policy.plan_column,
            policy.inputs.iter().map(|i| &i.name).collect::<Vec<_>>(),
        ),
        &mut columns,
    );
    let fingerprint = std::hash::Hasher::finish(&columns) % 0xFFFF_FFFF;
    let path = dir.join(format!("foreign_trade_{rows}_{fingerprint:08x}.csv"));
    if !path.exists() {
        let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("a data file"));
        kpi::generate::csv(policy, rows, 1, file).expect("generated");
    }
    path
}

fn child(rows: usize) {
    let data = PathBuf::from(std::env::var("KPI_BENCH_DATA").expect("KPI_BENCH_DATA"));
    let program = policy(std::env::args().any(|a| a == "--ranked"));
    let out_path = data.with_extension("out.csv");
    let out = std::io::BufWriter::with_capacity(
        kpi::report::writer::WRITE_BUFFER,
        std::fs::File::create(&out_path).expect("an output file"),
    );
    let mut writer = kpi::report::writer::CsvWriter::new(&program, out, false).expect("a writer");
    let source =
        kpi::data::open(&data, &kpi::data::ReadOptions::default()).expect("the data opens");
    let plain = std::env::args().any(|a| a == "--plain");
    let floor = std::env::args().any(|a| a == "--floor");
    let start = Instant::now();
    use kpi::report::writer::OutcomeWriter;
    let read = if floor {
        // The I/O floor: the same file read and written back by the csv
        // crate, with no evaluation.
        drop(source);
        // With the buffers kpi reads and writes with: larger than the csv
        // crate's default, they make the floor faster too (0.53 -> 0.42 s).
        let mut reader = csv::ReaderBuilder::new()
            .buffer_capacity(kpi::data::READ_BUFFER)
            .from_path(&data)
            .expect("the data opens");
        let out = std::fs::File::create(&out_path).expect("an output");
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(kpi::report::writer::WRITE_BUFFER)
            .from_writer(out);
        let mut record = csv::ByteRecord::new();
        let mut read = 0;
        while reader.read_byte_record(&mut record).expect("a row") {
            out.write_byte_record(&record).expect("written");
            read += 1;
        }
        out.flush().expect("flushed");
        read
    } else if plain {
        let columns = kpi::data::Columns::map(&program, &source.headers, source.row_word)
            .expect("the header fits");
        let mut read = 0;
        for row in source {
            read += 1;
            let record = columns
                .record(&program, &row.expect("a row"))
                .expect("a record");
            let outcome = program.evaluate(&record).expect("evaluated");
            writer.outcome(&record, &outcome).expect("written");
        }
        read
    } else {
        // As `kpi eval` runs it: each CSV line put together on the worker
        // that evaluated the row, by the writer's renderer.
        let renderer = writer.renderer().expect("CSV renders ahead");
        let detail = writer.detail();
        let render =
            |_: &kpi::eval::Record, outcome: &kpi::outcome::Outcome, line: &mut Vec<u8>| {
                assert!(renderer(&program, outcome, line), "rendered");
            };
        kpi::batch::run_rendered(&program, source, detail, render, |result| {
            if let kpi::batch::Rendered::Evaluated((), line) = result {
                writer.rendered(line).expect("written");
            }
        })
        .expect("the header fits")
        .read
    };
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(read, rows);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    println!("{rows:>10}  {:>14.1}  {seconds:>10.2}", peak_kb / 1024.0);
}
