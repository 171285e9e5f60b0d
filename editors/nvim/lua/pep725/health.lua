-- :checkhealth pep725 — is the server there, which version, is it attached.
local M = {}

-- vim.health.start/ok/... (0.10+), vim.health.report_* (0.8-0.9), require('health') (0.7).
local function reporter()
  local h = vim.health
  if h and h.start then
    return h
  end
  h = (h and h.report_start) and h or require('health')
  return {
    start = h.report_start,
    ok = h.report_ok,
    info = h.report_info,
    warn = h.report_warn,
    error = h.report_error,
  }
end

function M.check()
  local health = reporter()
  local plugin = require('pep725_ls')

  health.start('pep725-ls')
  local v = vim.version and vim.version() or { major = 0, minor = 0, patch = 0 }
  local nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.7') == 1 then
    health.ok('Neovim ' .. nvim .. (vim.lsp.config and ' (native vim.lsp.config)' or ' (setup() fallback)'))
  else
    health.error('Neovim ' .. nvim .. ' is too old: pep725-ls needs 0.7 or newer')
  end

  local cmd = plugin.cmd()
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    health.error(
      string.format("server command '%s' not found", cmd[1]),
      { 'install it from a checkout of pep725-ls: pipx install ./pep725-ls (docs/install.md)', "or set cmd: require('pep725_ls').setup { cmd = { '/path/to/pep725-ls' } }" }
    )
    return
  end
  health.ok('server: ' .. exe)

  local argv = vim.deepcopy(cmd)
  argv[1] = exe
  table.insert(argv, '--version')
  local out = vim.fn.system(argv)
  local version = vim.trim(out or '')
  if vim.v.shell_error == 0 and version:match('^pep725%-ls ') then
    health.ok('version: ' .. version)
  else
    health.error(string.format('%s --version failed (exit %d): %s', exe, vim.v.shell_error, version))
  end

  local clients = plugin.clients()
  if #clients == 0 then
    health.info('no pep725_ls client running (it starts when you open a pyproject.toml)')
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    health.ok(string.format('client %d running for %s, %d buffer(s)', client.id, client.config.root_dir or '?', #buffers))
  end
end

return M
