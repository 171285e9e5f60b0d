-- The one definition of how Neovim talks to pep725-ls, shared by the three ways of using it:
-- lsp/pep725_ls.lua (Neovim >= 0.11), require('pep725_ls').setup{} (0.7+) and
-- require('pep725_ls.lspconfig') (nvim-lspconfig's legacy `configs` framework).
local M = {}

M.name = 'pep725_ls'
M.default_cmd = { 'pep725-ls' }
M.filetypes = { 'toml' }

--- The project root for a pyproject.toml buffer (its folder), or nil for any other file:
--- the server only has something to say about files named pyproject.toml.
---@param fname string
---@return string|nil
function M.root_for(fname)
  if fname == nil or fname == '' then
    return nil
  end
  if vim.fn.fnamemodify(fname, ':t') ~= 'pyproject.toml' then
    return nil
  end
  return vim.fn.fnamemodify(fname, ':p:h')
end

-- An empty Lua table encodes as a JSON array; the server expects objects.
local function as_object(value)
  if type(value) == 'table' and vim.tbl_isempty(value) then
    return vim.empty_dict()
  end
  return value
end

--- initializationOptions: the client's `init_options` plus `{ pep725 = settings.pep725 }`, so the
--- server has the user's settings before it answers anything.
function M.init_options(config)
  local options = vim.tbl_extend('force', {}, config.init_options or {})
  local settings = config.settings or {}
  options.pep725 = as_object(settings.pep725 or vim.empty_dict())
  return options
end

--- `before_init` hook: both vim.lsp.start_client (0.7+) and vim.lsp.config (0.11+) call it with
--- the InitializeParams and the resolved config.
function M.before_init(params, config)
  params.initializationOptions = M.init_options(config)
end

local function lookup(settings, section)
  local value = settings
  for part in string.gmatch(section, '[^.]+') do
    if type(value) ~= 'table' then
      return nil
    end
    value = value[part]
  end
  return value
end

--- workspace/configuration, answered from `settings` like Neovim's own handler, but sending
--- `{}` (not `[]`) for an empty section. Signature (err, result, ctx) holds from 0.5.1 on.
function M.configuration_handler(_, result, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local settings = client and client.config.settings or {}
  local answers = {}
  for i, item in ipairs(result and result.items or {}) do
    local value = item.section and lookup(settings, item.section) or settings
    if value == nil then
      value = vim.NIL
    end
    answers[i] = as_object(value)
  end
  return answers
end

--- The config for vim.lsp.config (Neovim >= 0.11): returned by lsp/pep725_ls.lua.
function M.native()
  return {
    cmd = M.default_cmd,
    filetypes = M.filetypes,
    root_dir = function(bufnr, on_dir)
      local root = M.root_for(vim.api.nvim_buf_get_name(bufnr))
      if root then
        on_dir(root)
      end
    end,
    settings = { pep725 = vim.empty_dict() },
    before_init = M.before_init,
    handlers = { ['workspace/configuration'] = M.configuration_handler },
  }
end

return M
