-- Argo CD health of a rocketmq.gitops.dev/v1alpha1 RocketMQTopic or
-- RocketMQConsumerGroup (argocd-cm uses this script for both kinds).
--
-- The status controller writes the kstatus conditions Ready, Reconciling
-- and Stalled, and the spec generation they describe. Ready at the current
-- generation is Healthy: the topic or group is on every selected broker
-- group as declared. Stalled is Degraded: something only a human can fix
-- (queues that would shrink, another message type on the brokers, a
-- namespace the cluster does not allow, a duplicate); its message says
-- what. Anything else, including a status written for an older generation,
-- is Progressing. Only the base and table libraries are available here
-- (Argo CD opens no string library).
local hs = {status = "Progressing", message = "Waiting for the status controller to report"}

if obj.status == nil then
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the status controller to observe generation " .. generation
  return hs
end

local conditions = {}
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    conditions[c.type] = c
  end
end

local function message(c, fallback)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local stalled = conditions["Stalled"]
if isTrue(stalled) then
  return {status = "Degraded", message = message(stalled, "Stalled")}
end

local ready = conditions["Ready"]
if isTrue(ready) then
  return {status = "Healthy", message = message(ready, "Ready")}
end

local reconciling = conditions["Reconciling"]
if isTrue(reconciling) then
  hs.message = message(reconciling, "Reconciling")
elseif ready ~= nil then
  hs.message = message(ready, "Not ready")
end
return hs
