//! The `kpi` command. See `kpi --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
