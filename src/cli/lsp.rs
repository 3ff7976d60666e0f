//! `kpi lsp`: the language server, for editors.

use super::exit;

/// Run the language server over stdin and stdout, for an editor to start.
#[derive(clap::Args)]
#[command(after_help = "\
The server checks each policy as it is typed (the same diagnostics as `kpi check`, at
their lines), shows what a name is on hover, gives the outline, and formats the document
as `kpi fmt` does. Editors start it themselves; see docs/en/reference/editors.md for VS Code, Neovim and
Helix.

Example (Neovim, in init.lua):
  vim.filetype.add({ extension = { kpi = 'kpi' } })
  vim.api.nvim_create_autocmd('FileType', { pattern = 'kpi', callback = function()
    vim.lsp.start({ name = 'kpi', cmd = { 'kpi', 'lsp' } })
  end })")]
pub(crate) struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let _ = args.stdio;
    match kpi::lsp::run() {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: the language server stopped: {e}");
            exit::CANNOT_RUN
        }
    }
}
