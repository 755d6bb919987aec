-- Argo CD health of a rocketmq.gitops.dev/v1alpha1 TopicTransfer.
--
-- The phase says where the transfer is: Pending, Running and RollingBack
-- are on the way, Succeeded is Healthy, RolledBack and Failed need a human
-- (unless spec.abort asked for the rollback). A status written for an older
-- generation reads as Progressing, except when the controller refused that
-- newer spec (SpecChangeRefused), which never resolves by waiting.
local hs = {status = "Progressing", message = "Waiting for the status controller to report"}

if obj.status == nil then
  return hs
end

local conditions = {}
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    conditions[c.type] = c
  end
end

local function text(value, fallback)
  if value ~= nil and value ~= "" then
    return value
  end
  return fallback
end

local refused = conditions["SpecChangeRefused"]
if refused ~= nil and refused.status == "True" then
  return {status = "Degraded", message = text(refused.message, "Spec change refused")}
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the status controller to observe generation " .. generation
  return hs
end

local phase = obj.status.phase
local msg = text(obj.status.message, "")

if phase == nil or phase == "" or phase == "Pending" then
  hs.message = text(msg, "Pending")
elseif phase == "Running" then
  local step = obj.status.step or 0
  hs.message = "Step " .. step .. "/7 " .. text(obj.status.stepName, "") .. ": " .. text(msg, "running")
elseif phase == "RollingBack" then
  hs.message = "Rolling back: " .. text(obj.status.lastError, text(msg, "undoing the transfer"))
elseif phase == "Succeeded" then
  return {status = "Healthy", message = text(msg, "Transfer succeeded")}
elseif phase == "RolledBack" then
  if obj.spec ~= nil and obj.spec.abort == true then
    return {status = "Healthy", message = "Aborted on request and rolled back: " .. text(msg, "the source is unchanged")}
  end
  return {status = "Degraded", message = "Rolled back: " .. text(obj.status.lastError, text(msg, "the transfer did not complete"))}
elseif phase == "Failed" then
  return {status = "Degraded", message = "Failed: " .. text(msg, text(obj.status.lastError, "refused"))}
else
  return {status = "Unknown", message = "Unknown phase " .. phase}
end
return hs
