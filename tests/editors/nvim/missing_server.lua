-- Headless: the plugin with a server command that does not exist. Prints what the user sees:
-- the messages, then :checkhealth pep725. Env: PEP725_PLUGIN.
vim.opt.runtimepath:append(os.getenv('PEP725_PLUGIN'))
vim.opt.swapfile = false
vim.cmd('filetype plugin on')
require('pep725_ls').setup({ cmd = { '/nonexistent/pep725-ls' } })

vim.defer_fn(function()
  vim.wait(1000, function() return false end, 50)
  io.stdout:write('MESSAGES:\n' .. vim.fn.execute('messages') .. '\n')
  vim.cmd('checkhealth pep725')
  io.stdout:write('HEALTH:\n' .. table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') .. '\n')
  io.stdout:flush()
  vim.cmd('qall!')
end, 0)
