-- require('pep725_ls').setup{...}: starts pep725-ls for every pyproject.toml you open.
-- On Neovim >= 0.11 it is vim.lsp.config + vim.lsp.enable; on 0.7-0.10 it starts one client per
-- project folder with vim.lsp.start_client and attaches buffers with vim.lsp.buf_attach_client.
local config = require('pep725_ls.config')

local M = {}

-- Client config given to setup() on 0.7-0.10, and the client started for each root folder.
local legacy_config = nil
local clients_by_root = {}
local warned_missing = false

local function has_native_config()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- The command that starts the server, as configured (for :checkhealth pep725).
function M.cmd()
  if legacy_config then
    return legacy_config.cmd
  end
  if has_native_config() then
    local resolved = vim.lsp.config[config.name]
    if resolved and resolved.cmd then
      return resolved.cmd
    end
  end
  return config.default_cmd
end

--- Client ids of running pep725-ls clients (both ways of starting them).
function M.clients()
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = config.name }) or vim.lsp.get_active_clients()
  for _, client in ipairs(all) do
    if client.name == config.name then
      table.insert(found, client)
    end
  end
  return found
end

local function notify_missing(cmd)
  if warned_missing then
    return
  end
  warned_missing = true
  local message = string.format(
    "pep725-ls: '%s' is not executable. Install it (from a checkout: pipx install ./pep725-ls; "
      .. "see docs/install.md) or pass its path: "
      .. "require('pep725_ls').setup { cmd = { '/path/to/pep725-ls' } }. Check with :checkhealth pep725",
    cmd[1]
  )
  -- Scheduled, so that it is not reported as an error in the FileType autocommand.
  vim.schedule(function()
    vim.notify(message, vim.log.levels.ERROR)
  end)
end

--- Attach buffer `bufnr` to the client for its folder, starting that client if needed (0.7-0.10).
function M.attach(bufnr)
  if not legacy_config then
    return
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = config.root_for(vim.api.nvim_buf_get_name(bufnr))
  if not root then
    return
  end
  local client_id = clients_by_root[root]
  local client = client_id and vim.lsp.get_client_by_id(client_id)
  if not client or client.is_stopped() then
    local cmd = legacy_config.cmd
    if vim.fn.executable(cmd[1]) ~= 1 then
      notify_missing(cmd)
      return
    end
    local client_config = vim.tbl_extend('force', vim.deepcopy(legacy_config), {
      name = config.name,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    })
    client_id = vim.lsp.start_client(client_config)
    if not client_id then
      return
    end
    clients_by_root[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
end

--- Options are client config fields: cmd, settings = { pep725 = {...} }, on_attach,
--- capabilities, init_options, handlers, ... (see docs/editors.md).
function M.setup(opts)
  opts = opts or {}
  if has_native_config() then
    vim.lsp.config(config.name, opts)
    vim.lsp.enable(config.name)
    return
  end

  local defaults = {
    cmd = config.default_cmd,
    settings = { pep725 = vim.empty_dict() },
    before_init = config.before_init,
    handlers = { ['workspace/configuration'] = config.configuration_handler },
  }
  legacy_config = vim.tbl_deep_extend('force', defaults, opts)
  -- Neovim 0.11 sets 'omnifunc' when a client that completes attaches; 0.7-0.10 leave that to
  -- the user, so <C-x><C-o> gave E764. Set it (unless the user has one), then run their on_attach.
  local user_on_attach = opts.on_attach
  legacy_config.on_attach = function(client, bufnr)
    if vim.bo[bufnr].omnifunc == '' and client.server_capabilities.completionProvider then
      vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
    end
    if user_on_attach then
      user_on_attach(client, bufnr)
    end
  end

  local group = vim.api.nvim_create_augroup('pep725_ls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = 'pep725-ls: attach to pyproject.toml',
  })
  -- Buffers opened before setup() ran (lazy loading) get attached too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
