-- pep725-ls for Neovim >= 0.11 (and nvim-lspconfig's lsp/ configs): with editors/nvim on the
-- runtimepath, `vim.lsp.enable('pep725_ls')` starts it for files named pyproject.toml.
-- Override anything with vim.lsp.config('pep725_ls', { cmd = {...}, settings = { pep725 = {...} } }).
return require('pep725_ls.config').native()
