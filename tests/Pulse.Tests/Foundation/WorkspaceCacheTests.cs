using Dapper;
using Microsoft.AspNetCore.Http;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class WorkspaceCacheTests
{
    PulseFactory _app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public void CachedLookup_IsReusedUntilInvalidated()
    {
        var ws = _app.CreateWorkspace("Cached");
        var store = new WorkspaceStore(_app.Db, TimeSpan.FromHours(1));
        Assert.That(store.FindBySiteKey(ws.SiteKey)!.Name, Is.EqualTo("Cached"));
        using (var c = _app.Db.Open())
            c.Execute("UPDATE workspaces SET name = 'Renamed' WHERE id = @Id", new { Id = ws.WorkspaceId });

        var stale = store.FindBySiteKey(ws.SiteKey)!.Name;
        store.Invalidate(ws.WorkspaceId);
        var fresh = store.FindBySiteKey(ws.SiteKey)!.Name;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stale, Is.EqualTo("Cached"));
            Assert.That(fresh, Is.EqualTo("Renamed"));
            Assert.That(new WorkspaceStore(_app.Db).FindBySiteKey(ws.SiteKey)!.Name, Is.EqualTo("Renamed"), "no cache by default");
        }
    }

    [Test]
    public async Task PutWorkspace_OriginRemoved_IsRefusedAtOnceByTheGate()
    {
        var ws = _app.CreateWorkspace("Origins", ["https://app.acme.test", "https://old.acme.test"]);
        var gate = _app.Services.GetRequiredService<SiteKeyGate>();
        var context = new DefaultHttpContext();
        context.Request.Headers.Origin = "https://old.acme.test";
        Assert.That(gate.TryResolve(ws.SiteKey, context.Request, out var before, out _) ? before.Id : null, Is.EqualTo(ws.WorkspaceId));

        using var http = _app.SecretClient(ws.SecretKey);
        var put = await http.PutAsync("/v1/workspace", Json.Body("""{ "allowedOrigins": ["https://app.acme.test"] }"""));
        Assert.That(put.IsSuccessStatusCode, Is.True);

        Assert.That(gate.TryResolve(ws.SiteKey, context.Request, out _, out var problem), Is.False);
        Assert.That(problem!.StatusCode, Is.EqualTo(403));
    }
}
