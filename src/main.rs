//! The `kpi` command. See `kpi --help`.

mod cli;

// mimalloc, as ruff uses it: a run over a large file allocates and frees
// millions of small values, many freed on another thread than the one that
// made them (rows are read, evaluated and written on different threads), where the system allocator
// is slow.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
