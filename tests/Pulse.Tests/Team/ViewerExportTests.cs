using System.Net;
using System.Text.Json;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>
/// The workspace setting <c>viewersMayExport</c> (decision P12): off, a viewer's CSV export is a 403
/// naming the permission and the dashboard is not told the viewer holds it; an owner turns it on,
/// and the same viewer exports (and is told so), in that workspace only; turning it off takes it back.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ViewerExportTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    string _acme = null!;
    string _other = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme").WorkspaceId;
        _other = _app.CreateWorkspace("Other").WorkspaceId;
        _app.AddMember(_acme, "owner@acme.test", Roles.Owner);
        _app.AddMember(_acme, "viewer@acme.test", Roles.Viewer);
        _app.AddMember(_other, "viewer@acme.test", Roles.Viewer);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    static async Task<bool> ToldItMayExport(HttpClient client)
    {
        var session = await (await client.GetAsync("/dashboard/api/session")).ReadJson<JsonElement>();
        return session.GetProperty("permissions").EnumerateArray().Any(p => p.GetString() == Permissions.ExportResponses);
    }

    [Test]
    public async Task Viewers_ExportOnlyWhileTheirWorkspaceAllowsIt()
    {
        using var owner = await _app.MemberClient("owner@acme.test");
        using var viewer = await _app.MemberClient("viewer@acme.test");
        await Switch(viewer, _acme);

        var refused = await viewer.GetAsync("/v1/responses.csv");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("'responses:export'"));
        Assert.That(await ToldItMayExport(viewer), Is.False);

        var on = await owner.PutAsync("/v1/workspace", Json.Of(new { viewersMayExport = true }));
        Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK), await on.Content.ReadAsStringAsync());
        Assert.That((await on.ReadJson<JsonElement>()).GetProperty("viewersMayExport").GetBoolean(), Is.True);

        var allowed = await viewer.GetAsync("/v1/responses.csv");
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await allowed.Content.ReadAsStringAsync());
        Assert.That(allowed.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(await ToldItMayExport(viewer), Is.True);

        // The setting is the workspace's: the same person, a viewer of another workspace, still cannot.
        await Switch(viewer, _other);
        Assert.That((await viewer.GetAsync("/v1/responses.csv")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await ToldItMayExport(viewer), Is.False);
        await Switch(viewer, _acme);

        // The setting widens exports only: a viewer still changes nothing.
        Assert.That((await viewer.PutAsync("/v1/workspace", Json.Of(new { viewersMayExport = false }))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        var off = await owner.PutAsync("/v1/workspace", Json.Of(new { viewersMayExport = false }));
        Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await viewer.GetAsync("/v1/responses.csv")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // Both changes are on the record.
        var log = await (await owner.GetAsync("/v1/audit-log?action=workspace.updated")).ReadJson<JsonElement>();
        var afters = log.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("after").GetProperty("viewersMayExport").GetBoolean()).ToList();
        Assert.That(afters, Is.EquivalentTo(new[] { true, false }));
    }

    [Test]
    public async Task TheSetting_RefusesANonBoolean_AndChangesNothing()
    {
        using var owner = await _app.MemberClient("owner@acme.test");
        var bad = await owner.PutAsync("/v1/workspace", Json.Of(new { viewersMayExport = "yes" }));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("viewersMayExport"));
        var ws = await (await owner.GetAsync("/v1/workspace")).ReadJson<JsonElement>();
        Assert.That(ws.GetProperty("viewersMayExport").GetBoolean(), Is.False);
    }

    static async Task Switch(HttpClient client, string workspaceId)
    {
        var switched = await client.PostAsync("/dashboard/api/session/workspace", Json.Of(new { workspaceId }));
        Assert.That(switched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await switched.Content.ReadAsStringAsync());
    }
}
