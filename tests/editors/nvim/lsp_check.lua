-- Headless Neovim check of the editors/nvim plugin against the real pep725-ls.
-- Used as the init file: nvim --headless -u lsp_check.lua <workspace>/pyproject.toml
-- Env: PEP725_PLUGIN (editors/nvim), PEP725_LS (server executable),
--      PEP725_MODE = native (vim.lsp.config/enable, 0.11+) | setup (require('pep725_ls').setup{}),
--      PEP725_SEVERITY = severity to configure for legacy-depurl ("" = leave the default),
--      PEP725_DEFAULT_SEVERITY = legacy-depurl's default severity, as docs/diagnostics.md gives it.
-- Prints one line per step; exits 0 when all pass, 1 on the first failure.

vim.opt.runtimepath:append(os.getenv('PEP725_PLUGIN'))
vim.opt.swapfile = false
vim.cmd('filetype plugin on')

local SERVER = os.getenv('PEP725_LS')
local MODE = os.getenv('PEP725_MODE') or 'setup'
local SEVERITY = os.getenv('PEP725_SEVERITY') or ''

local settings = { pep725 = vim.empty_dict() }
if SEVERITY ~= '' then
  settings = { pep725 = { severity = { ['legacy-depurl'] = SEVERITY } } }
end

-- The way a user's init.lua would do it.
if MODE == 'native' then
  vim.lsp.config('pep725_ls', { cmd = { SERVER }, settings = settings })
  vim.lsp.enable('pep725_ls')
elseif MODE == 'setup' then
  require('pep725_ls').setup({ cmd = { SERVER }, settings = settings })
else
  error('unknown PEP725_MODE ' .. MODE)
end

local function log(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local function finish(code)
  for _, c in ipairs(require('pep725_ls').clients()) do
    vim.lsp.stop_client(c.id)
  end
  vim.wait(3000, function()
    return #require('pep725_ls').clients() == 0
  end, 50)
  vim.cmd(code == 0 and 'qall!' or ('cquit! ' .. code))
end

local function fail(msg)
  error({ check_failed = msg })
end

local function expect(cond, msg)
  if not cond then
    fail(msg)
  end
end

local bufnr
-- The pep725_ls client attached to the buffer under test.
local function client()
  local attached = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, c in pairs(attached) do
    if c.name == 'pep725_ls' then
      return c
    end
  end
end

local function find_line(needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  fail('buffer lacks ' .. needle)
end

-- One request to the pep725-ls client; returns its result (fails on error or timeout).
local function request(method, params)
  local responses = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  expect(responses, method .. ': no answer in 10 s')
  local c = client()
  for id, response in pairs(responses) do
    if id == c.id then
      expect(not response.err, method .. ' error: ' .. vim.inspect(response.err))
      return response.result
    end
  end
  fail(method .. ': no answer from pep725_ls')
end

local function text_position(line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = character } }
end

local function hover_text(needle)
  local line, col = find_line(needle)
  local result = request('textDocument/hover', text_position(line, col + 5))
  expect(result and result.contents, 'no hover on ' .. needle)
  local contents = result.contents
  if type(contents) == 'table' then
    contents = contents.value or vim.inspect(contents)
  end
  return contents
end

local function completion_labels(result)
  local items = result and (result.items or result) or {}
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  return items, labels
end

-- Edits reach the server on the next loop iteration (0.7 debounces didChange): let them go out.
local function settle()
  vim.wait(500, function() return false end, 50)
end

local function lsp_diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(out, {
      range = {
        start = { line = d.lnum, character = d.col },
        ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
      },
      severity = d.severity,
      message = d.message,
      source = d.source,
      code = lsp.code or d.code,
      data = lsp.data,
    })
  end
  return out
end

local function run()
  bufnr = vim.api.nvim_get_current_buf()
  local v = vim.version()
  log(string.format('nvim %d.%d.%d', v.major, v.minor, v.patch) .. ', mode ' .. MODE .. ', file ' .. vim.api.nvim_buf_get_name(bufnr))
  expect(vim.bo[bufnr].filetype == 'toml', 'filetype is ' .. vim.bo[bufnr].filetype)

  expect(vim.wait(20000, function() return client() ~= nil end, 50), 'no pep725_ls client attached')
  local c = client()
  log('OK client ' .. c.name .. ' root ' .. tostring(c.config.root_dir))
  expect(c.config.root_dir == vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h'), 'root_dir is not the pyproject folder')

  -- 1. diagnostics
  local legacy
  expect(vim.wait(20000, function()
    for _, d in ipairs(lsp_diagnostics()) do
      if d.code == 'legacy-depurl' then
        legacy = d
        return true
      end
    end
    return false
  end, 50), 'no legacy-depurl diagnostic; got ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  expect(legacy.source == 'pep725-ls', 'diagnostic source ' .. tostring(legacy.source))
  -- the severity configured, else the default docs/diagnostics.md gives
  local want = ({ error = 1, warning = 2, information = 3, hint = 4 })[SEVERITY ~= '' and SEVERITY
    or os.getenv('PEP725_DEFAULT_SEVERITY')]
  expect(legacy.severity == want, string.format('legacy-depurl severity %s, want %s', tostring(legacy.severity), want))
  log(string.format('OK diagnostic %s severity=%d line=%d: %s', legacy.code, legacy.severity, legacy.range.start.line, legacy.message))

  -- 2. hover
  local hover = hover_text('dep:generic/openssl')
  expect(hover:find('dep:generic/openssl', 1, true) and hover:find('OpenSSL', 1, true), 'hover: ' .. hover)
  log('OK hover ' .. hover:gsub('\n', ' '):sub(1, 120))

  -- 3. completion: DepURL types after "dep:, names after "dep:generic/, keys in [external]
  local ol = find_line('dep:generic/openssl')
  vim.api.nvim_buf_set_lines(bufnr, ol + 1, ol + 1, false, { '  "dep:",' })
  settle()
  local _, types = completion_labels(request('textDocument/completion', text_position(ol + 1, 7)))
  expect(vim.tbl_contains(types, 'generic/') and vim.tbl_contains(types, 'virtual/'), 'after "dep: got ' .. vim.inspect(types))
  log('OK completion after "dep: ' .. table.concat(types, ' '))

  vim.api.nvim_buf_set_lines(bufnr, ol + 1, ol + 2, false, { '  "dep:generic/",' })
  settle()
  local items, names = completion_labels(request('textDocument/completion', text_position(ol + 1, 15)))
  for _, name in ipairs({ 'zlib', 'openssl', 'libpq' }) do
    expect(vim.tbl_contains(names, name), 'after "dep:generic/ no ' .. name .. ' in ' .. #names .. ' items')
  end
  local libpq
  for _, item in ipairs(items) do
    if item.label == 'libpq' then
      libpq = item
    end
  end
  -- Accept it as a client does: its textEdit, else insertText or label at the cursor.
  local edit = libpq.textEdit
  if edit then
    if edit.insert then
      edit = { range = edit.replace, newText = edit.newText }
    end
  else
    local pos = { line = ol + 1, character = 15 }
    edit = { range = { start = pos, ['end'] = pos }, newText = libpq.insertText or libpq.label }
  end
  vim.lsp.util.apply_text_edits({ edit }, bufnr, c.offset_encoding or 'utf-16')
  local accepted = vim.api.nvim_buf_get_lines(bufnr, ol + 1, ol + 2, false)[1]
  expect(accepted == '  "dep:generic/libpq",', 'after accepting libpq the line is ' .. accepted)
  log('OK completion accepted: ' .. accepted)

  local el = find_line('[external]')
  vim.api.nvim_buf_set_lines(bufnr, el + 1, el + 1, false, { '' })
  settle()
  local _, keys = completion_labels(request('textDocument/completion', text_position(el + 1, 0)))
  -- The fixture already has build-requires and host-requires; the other five must be offered,
  -- and nothing that is not one of the seven.
  local seven = { 'build-requires', 'host-requires', 'dependencies', 'optional-build-requires',
    'optional-host-requires', 'optional-dependencies', 'dependency-groups' }
  for _, key in ipairs({ unpack(seven, 3) }) do
    expect(vim.tbl_contains(keys, key), 'key completion lacks ' .. key .. ': ' .. vim.inspect(keys))
  end
  for _, key in ipairs(keys) do
    expect(vim.tbl_contains(seven, key), 'key completion offers ' .. key)
  end
  log('OK key completion: ' .. table.concat(keys, ' '))
  vim.api.nvim_buf_set_lines(bufnr, el + 1, el + 2, false, {})
  settle()

  -- 4. quick fix: ask for code actions on the legacy diagnostic, apply the migration's edit
  local zl = find_line('pkg:generic/zlib')
  local diag
  expect(vim.wait(10000, function()
    for _, d in ipairs(lsp_diagnostics()) do
      if d.code == 'legacy-depurl' and d.range.start.line == zl then
        diag = d
        return true
      end
    end
    return false
  end, 50), 'legacy-depurl diagnostic is not on the zlib line after the edits')
  local actions = request('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = diag.range,
    context = { diagnostics = { diag }, only = { 'quickfix' } },
  })
  local fix
  for _, action in ipairs(actions or {}) do
    if action.title == 'Migrate to dep:generic/zlib' then
      fix = action
    end
  end
  expect(fix, 'no "Migrate to dep:generic/zlib" action in ' .. vim.inspect(actions))
  expect(fix.kind == 'quickfix', 'action kind ' .. tostring(fix.kind))
  if not fix.edit and not fix.command then
    fix = request('codeAction/resolve', fix)
  end
  expect(fix.edit, 'the quick fix has no edit: ' .. vim.inspect(fix))
  vim.lsp.util.apply_workspace_edit(fix.edit, c.offset_encoding or 'utf-16')
  local fixed = vim.api.nvim_buf_get_lines(bufnr, zl, zl + 1, false)[1]
  expect(fixed == '  "dep:generic/zlib",', 'after the quick fix the line is ' .. fixed)
  log('OK quick fix: ' .. fixed)
  settle()
  expect(vim.wait(10000, function()
    for _, d in ipairs(lsp_diagnostics()) do
      if d.code == 'legacy-depurl' then
        return false
      end
    end
    return true
  end, 50), 'legacy-depurl still reported after the fix')
  log('OK diagnostic gone after the fix')

  local zhover = hover_text('dep:generic/zlib')
  expect(zhover:lower():find('compression', 1, true), 'zlib hover: ' .. zhover)
  log('OK hover after fix ' .. zhover:gsub('\n', ' '):sub(1, 120))

  -- 5. "Add dep:generic/libmysqlclient to [external].dependencies": a new key after the last line of the
  -- file. Neovim 0.11 adds a line for an edit range past the last line: the file must not end
  -- in a blank line once written.
  local pl = find_line('[project]')
  vim.api.nvim_buf_set_lines(bufnr, pl + 1, pl + 1, false, { 'dependencies = ["mysqlclient>=2"]' })
  settle()
  local missing
  expect(vim.wait(10000, function()
    for _, d in ipairs(lsp_diagnostics()) do
      if d.code == 'missing-external-dependency' then
        missing = d
        return true
      end
    end
    return false
  end, 50), 'no missing-external-dependency diagnostic for mysqlclient')
  local add
  for _, action in ipairs(request('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = missing.range,
    context = { diagnostics = { missing }, only = { 'quickfix' } },
  }) or {}) do
    if vim.startswith(action.title, 'Add dep:generic/libmysqlclient to [external].dependencies') then
      add = action
    end
  end
  expect(add, 'no "Add dep:generic/libmysqlclient to [external].dependencies" action')
  if not add.edit then
    add = request('codeAction/resolve', add)
  end
  vim.lsp.util.apply_workspace_edit(add.edit, c.offset_encoding or 'utf-16')
  vim.cmd('silent write')
  local file = io.open(vim.api.nvim_buf_get_name(bufnr), 'rb')
  local written = file:read('*a')
  file:close()
  expect(written:find('dependencies = ["dep:generic/libmysqlclient"', 1, true) and written:sub(-3) == '"]\n',
    'the file does not end with the added key: ' .. vim.inspect(written:sub(-80)))
  expect(written:sub(-2) ~= '\n\n', 'the written file ends in a blank line: ' .. vim.inspect(written:sub(-80)))
  log('OK add dependency: the file ends ' .. vim.inspect(written:sub(-40)))

  -- 6. :checkhealth pep725
  vim.cmd('checkhealth pep725')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  log('checkhealth:\n' .. report)
  expect(report:find(os.getenv('PEP725_LS_VERSION') or 'pep725-ls 0.1.0', 1, true), 'checkhealth lacks the version')
  expect(report:find(SERVER, 1, true), 'checkhealth lacks the server path')
  expect(not report:find('ERROR', 1, true), 'checkhealth reports an ERROR')
  log('OK checkhealth')
end

-- 7. <C-x><C-o> typed in insert mode, as docs/editors.md tells users: 'omnifunc' must be set
-- (0.7-0.10 left it empty: E764) and vim.lsp.omnifunc must insert a DepURL name. Keys are
-- only read between callbacks, so this step polls from a timer instead of blocking.
local function omni_completion(on_result)
  vim.api.nvim_set_current_buf(bufnr) -- the window shows :checkhealth's report: back to the file
  expect(vim.bo[bufnr].omnifunc ~= '', "'omnifunc' is not set in the pyproject.toml buffer")
  local ol = find_line('dep:generic/openssl')
  vim.api.nvim_buf_set_lines(bufnr, ol + 1, ol + 1, false, { '  "dep:generic/libp",' })
  settle()
  vim.api.nvim_win_set_cursor(0, { ol + 2, #'  "dep:generic/libp' - 1 })
  vim.v.errmsg = ''
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('a<C-x><C-o>', true, false, true), 'n', false)
  local started = vim.loop.now()
  local timer = vim.loop.new_timer()
  local first
  timer:start(100, 100, vim.schedule_wrap(function()
    if not timer:is_active() then
      return
    end
    local failure
    if vim.v.errmsg ~= '' then
      failure = '<C-x><C-o>: ' .. vim.v.errmsg
    elseif first == nil then
      local items = vim.fn.complete_info({ 'items' }).items or {}
      if #items > 0 then
        first = items[1]
        local labels = {}
        for _, item in ipairs(items) do
          table.insert(labels, item.abbr)
        end
        if not vim.tbl_contains(labels, 'libpq') then
          failure = '<C-x><C-o> offered ' .. table.concat(labels, ' ')
        else
          log('OK omnifunc offers ' .. table.concat(labels, ' '):sub(1, 100))
          vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<C-y><Esc>', true, false, true), 'n', false)
          return
        end
      elseif vim.loop.now() - started > 15000 then
        failure = '<C-x><C-o>: no completion in 15 s (mode ' .. vim.fn.mode() .. ')'
      end
    elseif vim.fn.mode() == 'n' then
      local line = vim.api.nvim_buf_get_lines(bufnr, ol + 1, ol + 2, false)[1]
      local want = '  "dep:generic/' .. first.abbr .. '",'
      if line ~= want then
        failure = 'after <C-x><C-o><C-y> the line is ' .. line .. ', want ' .. want
      else
        log('OK omnifunc accepted: ' .. line)
      end
    else
      return
    end
    timer:stop()
    timer:close()
    on_result(failure)
  end))
end

local function report(e)
  if type(e) == 'table' and e.check_failed then
    return e.check_failed
  end
  return debug.traceback(tostring(e))
end

local function conclude(err)
  if err == nil then
    log('ALL OK')
    finish(0)
  else
    log('FAIL: ' .. tostring(err))
    finish(1)
  end
end

vim.defer_fn(function()
  local ok, err = xpcall(run, report)
  if not ok then
    return conclude(err)
  end
  local started, start_err = xpcall(omni_completion, report, conclude)
  if not started then
    conclude(start_err)
  end
end, 0)
