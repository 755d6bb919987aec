-- Argo CD health of a rocketmq.gitops.dev/v1alpha1 RocketMQCluster.
--
-- The status controller writes kstatus-style conditions (Ready, Progressing,
-- Degraded, and the kstatus pair Reconciling and Stalled) and the spec
-- generation they describe. A rollout (a StatefulSet rolling, a broker
-- master restarting within its grace period) is Progressing, never Degraded. A status written for an
-- older generation says nothing about the spec just synced, so it reads as
-- Progressing until the controller catches up. Only the base and table
-- libraries are available here (Argo CD opens no string library).
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
  return fallback
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

-- Stalled (needs a human) and Degraded (broken, possibly healing) both
-- read as Degraded; Stalled's message says what to fix.
local stalled = conditions["Stalled"]
if isTrue(stalled) then
  return {status = "Degraded", message = message(stalled, "Stalled")}
end
local degraded = conditions["Degraded"]
if isTrue(degraded) then
  return {status = "Degraded", message = message(degraded, "Degraded")}
end

-- A broker group whose topic metadata copy failed takes no traffic for the
-- topics it lacks; say which, even if the Degraded condition lags.
if obj.status.brokerGroups ~= nil then
  for _, g in ipairs(obj.status.brokerGroups) do
    if g.metadata == "Failed" then
      local why = g.metadataMessage or "no detail"
      return {status = "Degraded", message = "Metadata copy to " .. g.name .. " failed: " .. why}
    end
  end
end

local ready = conditions["Ready"]
if isTrue(ready) then
  return {status = "Healthy", message = message(ready, "Ready")}
end

local progressing = conditions["Progressing"]
local reconciling = conditions["Reconciling"]
if isTrue(progressing) then
  hs.message = message(progressing, "Progressing")
elseif isTrue(reconciling) then
  hs.message = message(reconciling, "Reconciling")
elseif ready ~= nil then
  hs.message = message(ready, "Not ready")
end
return hs
