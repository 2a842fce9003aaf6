/**
 * Lua scripts that make the store's multi-key steps atomic. Redis runs each alone, so two
 * deliveries of the same merge can never both create a pipeline.
 */

/**
 * appendCanaryDecision: KEYS = pipeline. ARGV = the decision's JSON. Appends it to the JSON list in
 * the `canaryDecisions` field (text, not re-encoded), so two decisions at once both stay. 0 when
 * the pipeline is not in Redis.
 */
export const appendCanaryDecisionScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local list = redis.call('HGET', KEYS[1], 'canaryDecisions')
if list and list ~= '[]' then
  list = string.sub(list, 1, -2) .. ',' .. ARGV[1] .. ']'
else
  list = '[' .. ARGV[1] .. ']'
end
redis.call('HSET', KEYS[1], 'canaryDecisions', list)
return 1
`;

/**
 * putGitLabDeployment: KEYS = pipeline. ARGV = the deployment's JSON. Replaces the entry of
 * `gitlabDeployments` with the same GitLab id, or appends it, in one step: two reporter channels
 * (the environment and its canary folder) record on the same pipeline at once, and a
 * read-modify-write from Node lost one of them. Returns 0 when the pipeline is not stored.
 */
export const putGitLabDeploymentScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local item = cjson.decode(ARGV[1])
local raw = redis.call('HGET', KEYS[1], 'gitlabDeployments')
local list = {}
if raw and raw ~= '' and raw ~= '[]' then list = cjson.decode(raw) end
local encoded = {}
local found = false
for i, d in ipairs(list) do
  if d.id == item.id then
    encoded[i] = ARGV[1]
    found = true
  else
    encoded[i] = cjson.encode(d)
  end
end
if not found then encoded[#encoded + 1] = ARGV[1] end
redis.call('HSET', KEYS[1], 'gitlabDeployments', '[' .. table.concat(encoded, ',') .. ']')
return 1
`;

/**
 * admit: KEYS = idempotency ('' for none), dedup, pipeline, lanePending, laneHolder, indexAll,
 * indexProject, active, sequence, events, branchHead, project, projectPath, mergeNotes.
 * ARGV = id, hashFieldsJSON, supersede ('1'/'0'), mergeUpgradeJSON ('' for none), idemTtlSeconds,
 * now, pipelineKeyPrefix, sha, projectId (the project's JSON is the record's `project` field),
 * pusher ('' unless a push: a merge note for this sha, else one the same user left for this branch
 * without knowing the sha, is taken),
 * dedupTtlSeconds (the dedup key expires: Redis never grows with every pipeline ever run).
 * Everything intake writes happens in this one round trip.
 */
export const admitScript = `
local function endStages(pk, status)
  local order = redis.call('HGET', pk, 'stageOrder')
  if not order then return end
  for _, name in ipairs(cjson.decode(order)) do
    local raw = redis.call('HGET', pk, 'stage:' .. name)
    if raw then
      local st = cjson.decode(raw)
      if st.status == 'pending' then
        st.status = status
        redis.call('HSET', pk, 'stage:' .. name, cjson.encode(st))
      end
    end
  end
end
local idem = KEYS[1]
if idem ~= '' then
  local prior = redis.call('GET', idem)
  if prior then return {'replay', prior} end
end
local fields = cjson.decode(ARGV[2])
redis.call('SET', KEYS[11], ARGV[8])
redis.call('SET', KEYS[12], fields['project'])
redis.call('SET', KEYS[13], ARGV[9])
local id = ARGV[1]
local existing = redis.call('GET', KEYS[2])
if existing then
  local updated = 0
  if ARGV[4] ~= '' then
    local pk = ARGV[7] .. existing
    if redis.call('HGET', pk, 'trigger') ~= 'merge' then
      local up = cjson.decode(ARGV[4])
      for k, v in pairs(up) do redis.call('HSET', pk, k, v) end
      updated = 1
    end
  end
  if idem ~= '' then
    redis.call('SET', idem, cjson.encode({result = 'duplicate', pipelineId = existing}), 'EX', tonumber(ARGV[5]))
  end
  return {'duplicate', existing, tostring(updated)}
end
if ARGV[10] ~= '' then
  local field = ARGV[8]
  local raw = redis.call('HGET', KEYS[14], field)
  if not raw then
    field = '~' .. ARGV[10]
    raw = redis.call('HGET', KEYS[14], field)
  end
  if raw then
    local note = cjson.decode(raw)
    fields['trigger'] = 'merge'
    fields['user'] = note.user
    fields['mergeRequest'] = note.mergeRequest
    redis.call('HDEL', KEYS[14], field)
  end
end
redis.call('SET', KEYS[2], id, 'EX', tonumber(ARGV[11]))
local seq = redis.call('INCR', KEYS[9])
local flat = {'seq', seq}
for k, v in pairs(fields) do
  flat[#flat + 1] = k
  flat[#flat + 1] = v
end
redis.call('HSET', KEYS[3], unpack(flat))
redis.call('ZADD', KEYS[6], seq, id)
redis.call('ZADD', KEYS[7], seq, id)
redis.call('SADD', KEYS[8], id)
redis.call('XADD', KEYS[10], 'MAXLEN', '~', '1000000', '*', 'kind', 'pipeline', 'id', id, 'status', 'queued', 'at', ARGV[6])
local out = {'created', id}
if ARGV[3] == '1' then
  local waiting = redis.call('ZRANGE', KEYS[4], 0, -1)
  for _, old in ipairs(waiting) do
    local pk = ARGV[7] .. old
    redis.call('HSET', pk, 'status', 'skipped', 'reason', 'superseded by pipeline ' .. id, 'finishedAt', ARGV[6])
    endStages(pk, 'skipped')
    redis.call('ZREM', KEYS[4], old)
    redis.call('SREM', KEYS[8], old)
    redis.call('XADD', KEYS[10], 'MAXLEN', '~', '1000000', '*', 'kind', 'pipeline', 'id', old, 'status', 'skipped', 'at', ARGV[6])
    table.insert(out, old)
  end
end
local holder = redis.call('GET', KEYS[5])
if holder then
  redis.call('ZADD', KEYS[4], seq, id)
  table.insert(out, 2, '0')
else
  redis.call('SET', KEYS[5], id)
  table.insert(out, 2, '1')
end
if idem ~= '' then
  redis.call('SET', idem, cjson.encode({result = 'created', pipelineId = id}), 'EX', tonumber(ARGV[5]))
end
return out
`;

/**
 * transition: KEYS = pipeline, active, events. ARGV = allowedFromCSV, to, patchJSON, now, terminal ('1'/'0').
 * Returns 1 when moved, 0 when the status was not an allowed source.
 */
export const transitionScript = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 0 end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == current then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do redis.call('HSET', KEYS[1], k, v) end
if ARGV[5] == '1' then redis.call('SREM', KEYS[2], redis.call('HGET', KEYS[1], 'id')) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'kind', 'pipeline', 'id', redis.call('HGET', KEYS[1], 'id'), 'status', ARGV[2], 'at', ARGV[4])
return 1
`;

/** release: KEYS = laneHolder, lanePending. ARGV = pipelineId. Returns the next holder or nil. */
export const releaseScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local next = redis.call('ZPOPMIN', KEYS[2])
if next[1] then
  redis.call('SET', KEYS[1], next[1])
  return next[1]
end
redis.call('DEL', KEYS[1])
return false
`;

/**
 * finish: a terminal transition and the lane hand-over in one step, so a crash can never leave a
 * lane held by a finished pipeline. KEYS = pipeline, active, events, laneHolder, lanePending.
 * ARGV = allowedFromCSV, to, patchJSON, now, pipelineId. Returns {moved, nextHolder|''}.
 */
export const finishScript = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {0, ''} end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == current then allowed = true end end
if not allowed then return {0, ''} end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
local patch = cjson.decode(ARGV[3])
for k, v in pairs(patch) do redis.call('HSET', KEYS[1], k, v) end
redis.call('SREM', KEYS[2], ARGV[5])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'kind', 'pipeline', 'id', ARGV[5], 'status', ARGV[2], 'at', ARGV[4])
redis.call('ZREM', KEYS[5], ARGV[5])
if redis.call('GET', KEYS[4]) ~= ARGV[5] then return {1, ''} end
local next = redis.call('ZPOPMIN', KEYS[5])
if next[1] then
  redis.call('SET', KEYS[4], next[1])
  return {1, next[1]}
end
redis.call('DEL', KEYS[4])
return {1, ''}
`;

/**
 * noteMerge: a merge that started no pipeline of its own annotates the pipeline of the merge's push
 * (who merged, the merge request). With the branch's new head known (`exactSha`, from GitLab's API):
 * the pipeline of that sha when there is one, else a note under that sha that the push of that sha
 * takes (admit). Without it (the fallback when GitLab's API did not answer): the pipeline of the
 * source head if there is one (a fast-forward without squash), else the branch head's pipeline when
 * the same user pushed it since `since`, else a note the next push of that user takes.
 * KEYS = branchHead, mergeNotes (a hash: sha or `~username` → note). ARGV = dedupPrefix (up to the
 * sha), pipelineKeyPrefix, userJSON, mergeRequestJSON, sourceSha ('' for none), since (ISO time),
 * noteTtlSeconds, username, exactSha ('' for none).
 * Returns {'annotated', id}, {'unchanged', id} (that sha's pipeline is not a push's) or {'pending'}.
 */
export const noteMergeScript = `
local function annotate(pid)
  local pk = ARGV[2] .. pid
  if redis.call('HGET', pk, 'trigger') ~= 'push' then return false end
  redis.call('HSET', pk, 'trigger', 'merge', 'user', ARGV[3], 'mergeRequest', ARGV[4])
  return true
end
local note = cjson.encode({user = ARGV[3], mergeRequest = ARGV[4]})
if ARGV[9] ~= '' then
  local pid = redis.call('GET', ARGV[1] .. ARGV[9])
  if pid then
    if annotate(pid) then return {'annotated', pid} end
    return {'unchanged', pid}
  end
  redis.call('HSET', KEYS[2], ARGV[9], note)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
  return {'pending'}
end
if ARGV[5] ~= '' then
  local pid = redis.call('GET', ARGV[1] .. ARGV[5])
  if pid and annotate(pid) then return {'annotated', pid} end
end
local head = redis.call('GET', KEYS[1])
if head then
  local pid = redis.call('GET', ARGV[1] .. head)
  if pid then
    local pk = ARGV[2] .. pid
    local user = redis.call('HGET', pk, 'user')
    local created = redis.call('HGET', pk, 'createdAt')
    if user and created and created >= ARGV[6] and cjson.decode(user).username == ARGV[8] and annotate(pid) then
      return {'annotated', pid}
    end
  end
end
redis.call('HSET', KEYS[2], '~' .. ARGV[8], note)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
return {'pending'}
`;

/**
 * putStageAttempt: KEYS = pipeline, events. ARGV = stageField, attemptField, expected,
 * endedField (of `expected`), recordJSON, recordAttempt, then the event's field/value pairs.
 * Writes a stage's running record only while the stored record holds attempt `expected` and that
 * attempt never ended: claiming the next attempt (recordAttempt = expected + 1) or updating the
 * running one (recordAttempt = expected). Two Ferries that both run a pipeline (a job redelivered
 * while its first worker still lives) claim each attempt once; the loser learns it here. The
 * attempt field is absent on a new record: the record's own `attempts` stands for it then.
 * Returns 1 when it wrote, else 0.
 */
export const putStageAttemptScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[2])
if not current then
  current = '0'
  local stored = redis.call('HGET', KEYS[1], ARGV[1])
  if stored then
    local ok, record = pcall(cjson.decode, stored)
    if ok and type(record) == 'table' and type(record.attempts) == 'number' then
      current = tostring(record.attempts)
    end
  end
end
if current ~= ARGV[3] then return 0 end
if redis.call('HEXISTS', KEYS[1], ARGV[4]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[5], ARGV[2], ARGV[6])
local event = {}
for i = 7, #ARGV do event[#event + 1] = ARGV[i] end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', unpack(event))
return 1
`;

/**
 * endStage: KEYS = pipeline, events. ARGV = stageField, attemptField, attempt, endedField,
 * recordJSON, then the event's field/value pairs. Writes a stage's end only if the record still
 * holds that attempt and that attempt never ended (an end journaled while Redis was away, an
 * adopted runner's end and a shutdown's end race; one wins). Returns 1 when it wrote, else 0.
 */
export const endStageScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[2])
if current and current ~= ARGV[3] then return 0 end
if redis.call('HSETNX', KEYS[1], ARGV[4], '1') == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[5], ARGV[2], ARGV[3])
local event = {}
for i = 6, #ARGV do event[#event + 1] = ARGV[i] end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', unpack(event))
return 1
`;
