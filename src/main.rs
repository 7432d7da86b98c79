//! The `chartctl` binary: parse arguments, dispatch, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use chartctl::cli::{self, Cli, Command, Outcome};
use clap::Parser;

/// Rendering allocates and frees many small strings, maps and lists; mimalloc's thread-local
/// free lists make that markedly cheaper than the system allocator. The v2 line: the crate's
/// default, v3, touches more fresh memory in a run this short, and over 150 of the corpus's
/// charts v2 renders 6-10% faster, with a lower peak (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Huge pages come back once the chart is known to be large (see `hugepages`).
    chartctl::hugepages::defer();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                cli::EXIT_ERROR
            } else {
                cli::EXIT_OK
            };
            // --help and --version print here; a closed pipe is not an error.
            let _ = err.print();
            return exit(code);
        }
    };
    let result = match &cli.command {
        Command::Template(args) => {
            // One render, then the process ends.
            chartctl::teardown::skip_at_exit();
            cli::template::run(args)
        }
        Command::Lint(args) => {
            // One chart with one set of values: as for `template`. More charts or sets free
            // each one's memory as they go.
            if cli::lint::lints_once(args) {
                chartctl::teardown::skip_at_exit();
            }
            cli::lint::run(args)
        }
    };
    match result {
        Ok(Outcome::Ok) => exit(cli::EXIT_OK),
        Ok(Outcome::Findings) => exit(cli::EXIT_FINDINGS),
        Err(err) if is_broken_pipe(&err) => exit(cli::EXIT_OK),
        Err(err) => {
            let _ = writeln!(io::stderr(), "Error: {err:#}");
            exit(cli::EXIT_ERROR)
        }
    }
}

/// `chartctl template ... | head` closes the pipe early; that is the reader's choice, not an
/// error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
