-- Health of an Argo CD Application, for Applications managed by another
-- (app of apps): Argo CD 1.8 stopped assessing it, so without this check
-- a child Application is Healthy as soon as it exists, and sync waves
-- between Applications (the controller's -1 before the clusters' 0) wait
-- for nothing. This is the script Argo CD's documentation gives: the
-- child's own reported health, Progressing until it reports one.
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
