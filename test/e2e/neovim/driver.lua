-- Drives `node server/out/server.js --stdio` through Neovim 0.7's built-in LSP client, headless.
--   nvim --headless -u NONE -i NONE -n -c 'luafile driver.lua'
-- Environment: GL_SCENARIO (JSON: {server, root, timeoutMs, steps: [...]}), GL_OUT (result JSON).
-- Each step's outcome is appended to `steps` in the result; the node test asserts on it. Every wait is a
-- `vim.wait` on a condition (a status notification, a diagnostic, a response), never a fixed sleep.
-- Positions: a step names a place as `at = {find = 'text', nth = 1, delta = 0}` (the delta-th character
-- after the start of the nth occurrence of `find` in the buffer); fixtures are ASCII, so bytes = UTF-16 units.

local scenario_path = assert(os.getenv('GL_SCENARIO'), 'GL_SCENARIO not set')
local out_path = assert(os.getenv('GL_OUT'), 'GL_OUT not set')

local result = { steps = {}, statuses = {}, published = vim.empty_dict(), messages = {}, exit = nil }
local state = { client_id = nil, ready_count = 0, ready_mark = 0, diag_events = 0 }

local function read_file(p)
  local f = assert(io.open(p, 'r'))
  local s = f:read('*a')
  f:close()
  return s
end

local function finish(code)
  local f = io.open(out_path, 'w')
  if f then
    local ok, encoded = pcall(vim.json.encode, result)
    f:write(ok and encoded or vim.json.encode({ error = 'could not encode result: ' .. tostring(encoded) }))
    f:close()
  end
  if state.client_id then
    local c = vim.lsp.get_client_by_id(state.client_id)
    if c then
      c.stop()
      -- wait (bounded) for the server to exit after shutdown/exit so no process is left behind
      vim.wait(3000, function() return result.exit ~= nil end, 20)
    end
  end
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

local scenario = vim.json.decode(read_file(scenario_path))
local root = scenario.root
local timeout = scenario.timeoutMs or 20000

local function client()
  return state.client_id and vim.lsp.get_client_by_id(state.client_id)
end

local function buf_for(file)
  local path = root .. '/' .. file
  local bufnr = vim.fn.bufnr(path)
  if bufnr == -1 or not vim.api.nvim_buf_is_loaded(bufnr) then
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    bufnr = vim.api.nvim_get_current_buf()
  end
  return bufnr
end

local function buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

-- Resolves `at` to an LSP position in the buffer's current text.
local function position(bufnr, at)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local seen = 0
  for i, line in ipairs(lines) do
    local from = 1
    while true do
      local s = string.find(line, at.find, from, true)
      if not s then break end
      seen = seen + 1
      if seen == (at.nth or 1) then
        return { line = i - 1, character = s - 1 + (at.delta or 0) }
      end
      from = s + 1
    end
  end
  error(string.format('text %q (occurrence %d) not found in buffer %d', at.find, at.nth or 1, bufnr))
end

local function request(bufnr, method, params)
  if not client().supports_method(method) then error('the server does not support ' .. method) end
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if not responses then error(method .. ' failed: ' .. tostring(err)) end
  local r = responses[state.client_id]
  if not r then error(method .. ': no response from the client') end
  if r.error then error(method .. ' error: ' .. vim.inspect(r.error)) end
  return r.result
end

local function published_for(file)
  return result.published[vim.uri_from_fname(root .. '/' .. file)]
end

local function has_code(diags, code)
  for _, d in ipairs(diags or {}) do
    if d.code == code then return true end
  end
  return false
end

local ops = {}

function ops.start()
  local server = scenario.server
  state.client_id = vim.lsp.start_client({
    name = 'gamma-lens',
    cmd = { 'node', server, '--stdio' },
    root_dir = root,
    flags = { debounce_text_changes = 0 },
    handlers = {
      ['gammaLens/status'] = function(_, params)
        table.insert(result.statuses, params)
        if params and params.state == 'ready' then state.ready_count = state.ready_count + 1 end
      end,
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
        result.published[params.uri] = params.diagnostics
        state.diag_events = state.diag_events + 1
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, params, ctx, config)
      end,
      ['window/logMessage'] = function(_, params)
        table.insert(result.messages, params.message)
      end,
      ['window/showMessage'] = function(_, params)
        table.insert(result.messages, 'showMessage: ' .. params.message)
      end,
    },
    on_exit = function(code, signal) result.exit = { code = code, signal = signal } end,
  })
  if not state.client_id then error('vim.lsp.start_client failed') end
  -- The client starts when the first buffer attaches; attach every yaml buffer (FileType yaml).
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'yaml',
    callback = function(args) vim.lsp.buf_attach_client(args.buf, state.client_id) end,
  })
  return {}
end

function ops.open(step)
  local bufnr = buf_for(step.file)
  local ok = vim.wait(timeout, function()
    local c = client()
    return c ~= nil and c.initialized == true and vim.lsp.buf_is_attached(bufnr, state.client_id)
  end, 20)
  if not ok then error('client did not initialize/attach within ' .. timeout .. ' ms') end
  return { filetype = vim.bo[bufnr].filetype, serverName = client().server_capabilities and 'initialized' }
end

-- Waits for a `gammaLens/status` `ready` that arrived after the last edit (or after start).
function ops.waitReady()
  local ok = vim.wait(timeout, function() return state.ready_count > state.ready_mark end, 20)
  return { ok = ok, status = result.statuses[#result.statuses] }
end

function ops.capabilities()
  return client().server_capabilities or client().resolved_capabilities
end

function ops.hover(step)
  local bufnr = buf_for(step.file)
  local pos = position(bufnr, step.at)
  local r = request(bufnr, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos })
  local text = nil
  if r and r.contents then
    local c = r.contents
    if type(c) == 'string' then text = c
    elseif c.value then text = c.value
    else text = table.concat(vim.tbl_map(function(x) return type(x) == 'string' and x or x.value end, c), '\n') end
  end
  return { position = pos, text = text, raw = r }
end

function ops.codeLens(step)
  local bufnr = buf_for(step.file)
  local lenses = request(bufnr, 'textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }) or {}
  local out = {}
  for _, lens in ipairs(lenses) do
    if not lens.command then
      lens = request(bufnr, 'codeLens/resolve', lens) or lens
    end
    table.insert(out, lens)
  end
  -- Neovim's own CodeLens display path: refresh, then read what it stores for the buffer.
  vim.lsp.codelens.refresh()
  local shown = {}
  vim.wait(timeout, function()
    shown = vim.lsp.codelens.get(bufnr) or {}
    if #shown < #out then return false end
    for _, l in ipairs(shown) do if not l.command then return false end end
    return true
  end, 20)
  return { lenses = out, shown = vim.tbl_map(function(l) return l.command and l.command.title end, shown) }
end

function ops.definition(step)
  local bufnr = buf_for(step.file)
  local pos = position(bufnr, step.at)
  local r = request(bufnr, 'textDocument/definition', { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos })
  return { position = pos, locations = r }
end

function ops.references(step)
  local bufnr = buf_for(step.file)
  local pos = position(bufnr, step.at)
  local r = request(bufnr, 'textDocument/references', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos,
    context = { includeDeclaration = step.includeDeclaration == true },
  })
  return { position = pos, locations = r }
end

-- Re-requests the lenses of `file` after each `ready` until one title contains `title` (or the timeout).
function ops.waitCodeLens(step)
  local bufnr = buf_for(step.file)
  local deadline = vim.loop.now() + timeout
  local titles
  repeat
    local seen = state.ready_count
    titles = {}
    for _, lens in ipairs(request(bufnr, 'textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }) or {}) do
      if not lens.command then lens = request(bufnr, 'codeLens/resolve', lens) or lens end
      local title = lens.command and lens.command.title or ''
      table.insert(titles, title)
      if string.find(title, step.title, 1, true) then return { ok = true, titles = titles } end
    end
    vim.wait(math.max(deadline - vim.loop.now(), 0), function() return state.ready_count > seen end, 20)
  until vim.loop.now() >= deadline
  return { ok = false, titles = titles }
end

-- Replaces the first occurrence of `find` (may span lines) with `replace`, as a user edit on the lines involved.
function ops.edit(step)
  local bufnr = buf_for(step.file)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local text = table.concat(lines, '\n')
  local s, e = string.find(text, step.find, 1, true)
  if not s then error(string.format('edit: %q not found in %s', step.find, step.file)) end
  local first = select(2, string.gsub(text:sub(1, s - 1), '\n', '')) -- 0-based line of the match start
  local last = select(2, string.gsub(text:sub(1, e), '\n', ''))
  local before = table.concat(vim.list_slice(lines, first + 1, last + 1), '\n')
  local line_start = #table.concat(vim.list_slice(lines, 1, first), '\n') + (first > 0 and 1 or 0)
  local rel_s, rel_e = s - line_start, e - line_start
  local after = before:sub(1, rel_s - 1) .. step.replace .. before:sub(rel_e + 1)
  state.ready_mark = state.ready_count
  vim.api.nvim_buf_set_lines(bufnr, first, last + 1, false, vim.split(after, '\n', { plain = true }))
  return { lines = { first, last } }
end

-- Waits until the diagnostics published for `file` contain (or, with absent = true, no longer contain) `code`.
function ops.waitDiagnostic(step)
  local ok = vim.wait(timeout, function()
    local present = has_code(published_for(step.file), step.code)
    if step.absent then return published_for(step.file) ~= nil and not present end
    return present
  end, 20)
  return { ok = ok, diagnostics = published_for(step.file) }
end

-- Snapshot of every publishDiagnostics received (by URI) and what Neovim shows for the loaded buffers.
function ops.diagnostics()
  local shown = vim.empty_dict()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.api.nvim_buf_get_name(b) ~= '' then
      shown[vim.uri_from_bufnr(b)] = vim.tbl_map(function(d)
        return { lnum = d.lnum, col = d.col, message = d.message, source = d.source, code = d.code,
                 severity = d.severity }
      end, vim.diagnostic.get(b))
    end
  end
  return { published = result.published, shown = shown }
end

-- Requests code actions at `at` (with the published diagnostics that touch that line as context), and when
-- `apply` names a title substring, applies that action the way Neovim does (resolve, edit, then command).
function ops.codeAction(step)
  local bufnr = buf_for(step.file)
  local pos = position(bufnr, step.at)
  local uri = vim.uri_from_bufnr(bufnr)
  local context_diags = {}
  for _, d in ipairs(result.published[uri] or {}) do
    if d.range.start.line <= pos.line and d.range['end'].line >= pos.line then table.insert(context_diags, d) end
  end
  local actions = request(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri }, range = { start = pos, ['end'] = pos },
    context = { diagnostics = context_diags },
  }) or {}
  local out = { position = pos, titles = {}, kinds = {} }
  for _, a in ipairs(actions) do
    table.insert(out.titles, a.title)
    table.insert(out.kinds, a.kind or vim.NIL)
  end
  if step.apply then
    local chosen
    for _, a in ipairs(actions) do
      if step.apply.title and string.find(a.title, step.apply.title, 1, true) then chosen = a break end
      if step.apply.code and has_code(a.diagnostics, step.apply.code) then chosen = a break end
    end
    if not chosen then error('no code action like ' .. vim.inspect(step.apply) .. ' among ' .. vim.inspect(out.titles)) end
    state.ready_mark = state.ready_count
    local c = client()
    if not chosen.edit and not chosen.command and chosen.data ~= nil then
      chosen = request(bufnr, 'codeAction/resolve', chosen)
    end
    if chosen.edit then vim.lsp.util.apply_workspace_edit(chosen.edit, c.offset_encoding) end
    local command = chosen.command
    if type(command) == 'table' and command.command then
      -- the server may answer with workspace/applyEdit, which Neovim applies to the buffers itself
      request(bufnr, 'workspace/executeCommand', command)
    end
    out.applied = chosen.title
    out.edit = chosen.edit
    out.buffers = {}
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      local name = vim.api.nvim_buf_get_name(b)
      if vim.api.nvim_buf_is_loaded(b) and name:sub(1, #root + 1) == root .. '/' then
        out.buffers[name:sub(#root + 2)] = buf_text(b)
      end
    end
  end
  return out
end

function ops.text(step)
  return { text = buf_text(buf_for(step.file)) }
end

local ok, err = pcall(function()
  vim.cmd('filetype on')
  for i, step in ipairs(scenario.steps) do
    local f = ops[step.op]
    if not f then error('unknown op ' .. tostring(step.op)) end
    local t0 = vim.loop.hrtime()
    local r = f(step)
    r.op = step.op
    r.ms = math.floor((vim.loop.hrtime() - t0) / 1e6)
    result.steps[i] = r
  end
end)
if not ok then
  result.error = tostring(err)
  finish(1)
else
  finish(0)
end
