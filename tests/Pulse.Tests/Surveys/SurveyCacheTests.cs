using Dapper;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Surveys;

/// <summary>The in-memory survey cache: served until this process writes a survey, or until it ages out.</summary>
public sealed class SurveyCacheTests
{
    static void RenameBehindTheCachesBack(PulseFactory app, string workspaceId, string name)
    {
        // What another process sharing the file looks like to this one: a change it was not told about.
        using var c = app.Db.Open();
        c.Execute("UPDATE surveys SET name = @Name WHERE workspace_id = @W", new { Name = name, W = workspaceId });
    }

    [Test]
    public void Cache_ServesTheLoadedSurveys_UntilInvalidated()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "3600" });
        _ = app.Server;
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();

        var first = cache.Get(ws.WorkspaceId)[0].Name;
        RenameBehindTheCachesBack(app, ws.WorkspaceId, "Renamed elsewhere");
        var cached = cache.Get(ws.WorkspaceId)[0].Name;
        cache.Invalidate(ws.WorkspaceId);
        var fresh = cache.Get(ws.WorkspaceId)[0].Name;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(SurveyDefaults.Name));
            Assert.That(cached, Is.EqualTo(SurveyDefaults.Name));
            Assert.That(fresh, Is.EqualTo("Renamed elsewhere"));
        }
    }

    [Test]
    public async Task Cache_IsInvalidatedBySurveyWritesThroughTheApi()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "3600" });
        _ = app.Server;
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();
        using var http = app.SecretClient(ws.SecretKey);
        var id = cache.Get(ws.WorkspaceId)[0].Id;

        (await http.PutAsync($"/v1/surveys/{id}", Json.Body("""{ "active": false }"""))).EnsureSuccessStatusCode();
        var afterPut = cache.Get(ws.WorkspaceId)[0].Active;
        (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Second" }"""))).EnsureSuccessStatusCode();
        var afterPost = cache.Get(ws.WorkspaceId).Count;
        (await http.DeleteAsync($"/v1/surveys/{id}")).EnsureSuccessStatusCode();
        var afterDelete = cache.Get(ws.WorkspaceId).Select(s => s.Name);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterPut, Is.False);
            Assert.That(afterPost, Is.EqualTo(2));
            Assert.That(afterDelete, Is.EqualTo(new[] { "Second" }));
        }
    }

    [Test]
    public void Cache_WithZeroSeconds_ReadsEveryTime()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "0" });
        _ = app.Server;
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();

        cache.Get(ws.WorkspaceId);
        RenameBehindTheCachesBack(app, ws.WorkspaceId, "Seen at once");

        Assert.That(cache.Get(ws.WorkspaceId)[0].Name, Is.EqualTo("Seen at once"));
    }
}
