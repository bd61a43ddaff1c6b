-- Drives Neovim's built-in LSP client against `gwlint server` (tests/nvim.rs): waits for the
-- diagnostics of a file that is not open, jumps from a parentRef to its Gateway, applies the
-- "suppress" code action, and writes what it saw to $GWLINT_RESULT. Written for the API of
-- Neovim 0.7 (Debian 12's), which later versions keep.
local root = os.getenv('GWLINT_ROOT')
local bin = os.getenv('GWLINT_BIN')
local out = {}
local function say(s) table.insert(out, s) end
local function finish()
  vim.fn.writefile(out, os.getenv('GWLINT_RESULT'))
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. root .. '/route.yaml')
  local id = vim.lsp.start_client({ name = 'gwlint', cmd = { bin, 'server' }, root_dir = root })
  vim.lsp.buf_attach_client(0, id)
  local client = vim.lsp.get_client_by_id(id)

  local broken = vim.uri_to_bufnr(vim.uri_from_fname(root .. '/broken.yaml'))
  local got = vim.wait(30000, function() return #vim.diagnostic.get(broken) > 0 end, 50)
  local d = vim.diagnostic.get(broken)[1]
  say('diagnostics ' .. tostring(got) .. ' ' .. (d and (d.code or '?') .. ' ' .. d.lnum .. ':' .. d.col or 'none'))

  -- Line 8, on the parentRef's name (`  - name: public`).
  vim.api.nvim_win_set_cursor(0, { 8, 12 })
  vim.lsp.buf.definition()
  vim.wait(10000, function() return vim.api.nvim_buf_get_name(0):match('gateway%.yaml$') ~= nil end, 50)
  local cur = vim.api.nvim_win_get_cursor(0)
  say('jumped ' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':t') .. ' ' .. cur[1] .. ':' .. cur[2])
  say('line ' .. vim.api.nvim_get_current_line())

  vim.cmd('edit ' .. root .. '/broken.yaml')
  vim.lsp.buf_attach_client(0, id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = { start = { line = 7, character = 12 }, ['end'] = { line = 7, character = 12 } },
    context = { diagnostics = {} },
  }
  local resp = client.request_sync('textDocument/codeAction', params, 10000, 0)
  for _, a in ipairs((resp and resp.result) or {}) do
    say('action ' .. a.title)
    if a.title:match('^Suppress') then
      vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding or 'utf-16')
    end
  end
  for _, l in ipairs(vim.api.nvim_buf_get_lines(0, 6, 9, false)) do
    say('buffer ' .. l)
  end
  -- The edit reaches the server; the finding is suppressed.
  local cleared = vim.wait(10000, function() return #vim.diagnostic.get(0) == 0 end, 50)
  say('cleared ' .. tostring(cleared))
end)
if not ok then say('error ' .. tostring(err)) end
finish()
