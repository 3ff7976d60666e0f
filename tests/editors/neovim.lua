-- A real editor's client against `kpi lsp`: Neovim's built-in LSP client
-- opens a policy with a mistake and must report the diagnostic's code at
-- its line, then the quick fix must mend it. Run by `.ci/run`:
--
--   KPI=target/debug/kpi POLICY=broken.kpi LINE=113 \
--     nvim --headless -u NONE -i NONE -n -c 'luafile tests/editors/neovim.lua'
--
-- Written for Neovim 0.7 (Debian 12's), so only its API is used.

local function fail(message)
  io.stderr:write("neovim test: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local kpi = os.getenv("KPI")
local policy = os.getenv("POLICY")
local line = tonumber(os.getenv("LINE"))
if not (kpi and policy and line) then
  fail("KPI, POLICY and LINE must be set")
end

vim.cmd("edit " .. vim.fn.fnameescape(policy))
local buffer = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "kpi",
  cmd = { kpi, "lsp" },
  root_dir = vim.fn.fnamemodify(policy, ":p:h"),
})
if not client then
  fail("the client did not start")
end
vim.lsp.buf_attach_client(buffer, client)

local found = vim.wait(20000, function()
  return #vim.diagnostic.get(buffer) > 0
end, 50)
if not found then
  fail("no diagnostics within 20 s")
end
local d = vim.diagnostic.get(buffer)[1]
-- Neovim counts lines from 0, as the protocol does.
if d.code ~= "kpi::name::unknown" or d.lnum ~= line - 1 then
  fail(string.format("got %s at line %d: %s", tostring(d.code), d.lnum + 1, d.message))
end
io.stdout:write(string.format("neovim: %s at line %d: %s\n", d.code, d.lnum + 1, d.message:match("[^\n]*")))

-- The quick fix, asked for as an editor does and applied to the buffer.
local params = vim.lsp.util.make_range_params()
params.range = {
  start = { line = d.lnum, character = d.col },
  ["end"] = { line = d.end_lnum, character = d.end_col },
}
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buffer, d.lnum) }
local replies = vim.lsp.buf_request_sync(buffer, "textDocument/codeAction", params, 20000)
local action
for _, reply in pairs(replies or {}) do
  for _, a in ipairs(reply.result or {}) do
    action = action or a
  end
end
if not action then
  fail("no quick fix offered")
end
vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
local cleared = vim.wait(20000, function()
  return #vim.diagnostic.get(buffer) == 0
end, 50)
if not cleared then
  fail("the quick fix `" .. action.title .. "` left diagnostics")
end
io.stdout:write("neovim: applied `" .. action.title .. "`, no diagnostics left\n")
-- Shutdown and exit, as when the editor closes.
vim.lsp.stop_client(client)
if not vim.wait(10000, function() return vim.lsp.client_is_stopped(client) end, 50) then
  fail("the server did not stop after shutdown and exit")
end
vim.cmd("qall!")
