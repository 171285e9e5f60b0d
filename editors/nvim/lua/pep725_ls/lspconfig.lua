-- pep725-ls as a server definition for nvim-lspconfig's legacy framework (`require('lspconfig')`
-- on Neovim 0.7-0.10), which has no entry for it:
--   require('lspconfig.configs').pep725_ls = require('pep725_ls.lspconfig')
--   require('lspconfig').pep725_ls.setup { settings = { pep725 = { ... } } }
local config = require('pep725_ls.config')

return {
  default_config = {
    cmd = config.default_cmd,
    filetypes = config.filetypes,
    root_dir = function(fname)
      return config.root_for(fname)
    end,
    single_file_support = false,
    settings = { pep725 = vim.empty_dict() },
    handlers = { ['workspace/configuration'] = config.configuration_handler },
  },
  -- lspconfig calls this for every new client: hand the settings over at initialize too.
  on_new_config = function(new_config)
    new_config.init_options = config.init_options(new_config)
  end,
  docs = {
    description = [[
pep725-ls: diagnostics, hover, completion and quick fixes for the PEP 725 `[external]` table
of pyproject.toml. Install it from a checkout: `pipx install ./pep725-ls` (docs/install.md).
]],
  },
}
