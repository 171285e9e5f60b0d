-- Headless: require('pep725_ls.lspconfig') has the shape nvim-lspconfig's `configs` expects
-- (default_config with cmd/filetypes/root_dir(fname), on_new_config), and on_new_config hands
-- the settings over as init_options. Env: PEP725_PLUGIN. Prints OK or FAIL lines.
vim.opt.runtimepath:append(os.getenv('PEP725_PLUGIN'))
local ok, err = pcall(function()
  local def = require('pep725_ls.lspconfig')
  local dc = def.default_config
  assert(type(dc.cmd) == 'table' and dc.cmd[1] == 'pep725-ls', 'cmd')
  assert(vim.tbl_contains(dc.filetypes, 'toml'), 'filetypes')
  assert(dc.root_dir('/tmp/proj/pyproject.toml') == '/tmp/proj', 'root_dir of a pyproject.toml')
  assert(dc.root_dir('/tmp/proj/Cargo.toml') == nil, 'root_dir of another toml file')
  -- what lspconfig does for a new client: merge the user's config, then on_new_config
  local config = vim.tbl_deep_extend('keep', { settings = { pep725 = { nix = { source = 'nix-env' } } } }, dc)
  def.on_new_config(config, '/tmp/proj')
  assert(config.init_options.pep725.nix.source == 'nix-env', 'init_options: ' .. vim.inspect(config.init_options))
  local empty = vim.deepcopy(dc)
  def.on_new_config(empty, '/tmp/proj')
  assert(vim.fn.json_encode(empty.init_options):gsub('%s', '') == '{"pep725":{}}', 'empty settings encode as {}: ' .. vim.fn.json_encode(empty.init_options))
end)
io.stdout:write((ok and 'OK' or ('FAIL ' .. tostring(err))) .. '\n')
vim.cmd(ok and 'qall!' or 'cquit! 1')
