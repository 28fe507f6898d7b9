using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Surveys;

/// <summary>The in-memory survey cache: served until this process writes a survey, or until it ages out.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SurveyCacheTests(StorageProvider provider)
{
    /// <summary>One server with an hour-long cache for the tests that only need that; each uses its own workspace.</summary>
    PulseFactory? _hourLong;

    PulseFactory HourLong()
    {
        _hourLong ??= new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "3600" }, provider: provider);
        _ = _hourLong.Server;
        return _hourLong;
    }

    [OneTimeTearDown]
    public void Stop() => _hourLong?.Dispose();

    static void RenameBehindTheCachesBack(PulseFactory app, string workspaceId, string name)
    {
        // What another process sharing the file looks like to this one: a change it was not told about.
        using var c = app.Db.Open();
        c.Execute("UPDATE surveys SET name = @Name WHERE workspace_id = @W", new { Name = name, W = workspaceId });
    }

    [Test]
    public async Task Cache_ServesTheLoadedSurveys_UntilInvalidated()
    {
        var app = HourLong();
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();

        var first = (await cache.GetAsync(ws.WorkspaceId))[0].Name;
        RenameBehindTheCachesBack(app, ws.WorkspaceId, "Renamed elsewhere");
        var cached = (await cache.GetAsync(ws.WorkspaceId))[0].Name;
        cache.Invalidate(ws.WorkspaceId);
        var fresh = (await cache.GetAsync(ws.WorkspaceId))[0].Name;

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
        var app = HourLong();
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();
        using var http = app.SecretClient(ws.SecretKey);
        var id = (await cache.GetAsync(ws.WorkspaceId))[0].Id;

        (await http.PutAsync($"/v1/surveys/{id}", Json.Body("""{ "active": false }"""))).EnsureSuccessStatusCode();
        var afterPut = (await cache.GetAsync(ws.WorkspaceId))[0].Active;
        (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Second" }"""))).EnsureSuccessStatusCode();
        var afterPost = (await cache.GetAsync(ws.WorkspaceId)).Count;
        (await http.DeleteAsync($"/v1/surveys/{id}")).EnsureSuccessStatusCode();
        var afterDelete = (await cache.GetAsync(ws.WorkspaceId)).Select(s => s.Name);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterPut, Is.False);
            Assert.That(afterPost, Is.EqualTo(2));
            Assert.That(afterDelete, Is.EqualTo(new[] { "Second" }));
        }
    }

    [Test]
    public async Task Cache_WithZeroSeconds_ReadsEveryTime()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "0" }, provider: provider);
        _ = app.Server;
        var ws = app.CreateWorkspace();
        var cache = app.Services.GetRequiredService<SurveyCache>();

        await cache.GetAsync(ws.WorkspaceId);
        RenameBehindTheCachesBack(app, ws.WorkspaceId, "Seen at once");

        Assert.That((await cache.GetAsync(ws.WorkspaceId))[0].Name, Is.EqualTo("Seen at once"));
    }

    [Test]
    public async Task ConcurrentCalls_OfAWorkspaceAtItsLimits_LoadItsSurveysOnce()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:CacheSeconds"] = "3600" }, provider: provider);
        app.StartKestrel();
        var ws = app.CreateWorkspace("Full");
        using var http = app.SecretClient(ws.SecretKey);
        await SurveysAtTheLimits.FillAsync(http, active: 50);
        using var metrics = new MetricsProbe(app);
        app.Services.GetRequiredService<SurveyCache>().Invalidate(ws.WorkspaceId);

        var now = app.Time.GetUtcNow();
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => http.PostAsync("/v1/eligibility", Json.Of(new
        {
            user = new { id = $"u{i}", createdAt = now.AddDays(-1), traits = SurveysAtTheLimits.ScanningTraits },
        }))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Select(a => (int)a.StatusCode), Is.All.EqualTo(200));
            Assert.That(metrics.Sum("pulse.surveys.cache_loads"), Is.EqualTo(1), "64 calls at once, one load");
        }
    }

    /// <summary>A clock in <see cref="System.Diagnostics.Stopwatch"/> ticks that only moves when told.</summary>
    sealed class TickClock
    {
        long _now = 1;

        public long Now => Interlocked.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
    }

    /// <summary>A cache of its own over the real store of a fresh app, a 5-second lifetime, and a <see cref="TickClock"/>.</summary>
    sealed class Rig : IDisposable
    {
        readonly PlainMeterFactory _meters = new();

        public Rig(StorageProvider provider)
        {
            App = new PulseFactory(provider: provider);
            _ = App.Server;
            Workspace = App.CreateWorkspace();
            Store = App.Services.GetRequiredService<SurveyStore>();
        }

        public PulseFactory App { get; }

        public Pulse.Api.Workspaces.CreatedWorkspace Workspace { get; }

        public SurveyStore Store { get; }

        public TickClock Clock { get; } = new();

        public SurveyCache Cache(Func<string, IReadOnlyList<Survey>?, IReadOnlyList<Survey>>? load = null) =>
            new(load ?? Store.List, TimeSpan.FromSeconds(5), () => Clock.Now, new Pulse.Api.Storage.PulseMetrics(_meters));

        public void Dispose()
        {
            _meters.Dispose();
            App.Dispose();
        }
    }

    [Test]
    public async Task ALoadSlowerThanTheLifetime_IsNotRepeatedOnEveryCall()
    {
        using var rig = new Rig(provider);
        var loads = 0;
        var cache = rig.Cache((id, _) =>
        {
            loads++;
            rig.Clock.Advance(TimeSpan.FromSeconds(6)); // the read took longer than the 5-second lifetime
            return rig.Store.List(id);
        });

        for (var i = 0; i < 10; i++)
            await cache.GetAsync(rig.Workspace.WorkspaceId);

        Assert.That(loads, Is.EqualTo(1), "the lifetime starts when the load ends, so the next call is served from memory");
    }

    [Test]
    public async Task AnExpiredEntry_IsReloadedByOneCall_WhileTheOthersGetItAtOnce()
    {
        using var rig = new Rig(provider);
        var loads = 0;
        using var reloading = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var cache = rig.Cache((id, _) =>
        {
            if (Interlocked.Increment(ref loads) == 2)
            {
                reloading.Release();
                release.Wait(); // the reload is slow
            }
            return rig.Store.List(id);
        });
        var id = rig.Workspace.WorkspaceId;
        var first = await cache.GetAsync(id);
        rig.Clock.Advance(TimeSpan.FromSeconds(6));

        var reload = Task.Run(async () => await cache.GetAsync(id));
        await reloading.WaitAsync();
        var during = new List<IReadOnlyList<Survey>>();
        for (var i = 0; i < 20; i++)
            during.Add(await cache.GetAsync(id)); // would hang here if callers waited for the reload
        release.Release();
        await reload;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(loads, Is.EqualTo(2));
            Assert.That(during, Is.All.SameAs(first), "the previous surveys are served while one caller reloads");
        }
    }

    [Test]
    public async Task AReload_ReadsOnlyWhatChanged_AndKeepsTheRestAsTheyWere()
    {
        using var rig = new Rig(provider);
        var (app, ws) = (rig.App, rig.Workspace);
        using var http = app.SecretClient(ws.SecretKey);
        var kept = await (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Kept", "priority": 5 }"""))).ReadJson<SurveyResource>(201);
        var edited = await (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Before", "priority": 3 }"""))).ReadJson<SurveyResource>(201);
        var deleted = await (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Deleted", "priority": 1 }"""))).ReadJson<SurveyResource>(201);
        var cache = rig.Cache();
        var first = await cache.GetAsync(ws.WorkspaceId);

        // Changes this cache is not told about, as another process's would be.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        (await http.PutAsync($"/v1/surveys/{edited.Id}", Json.Body("""{ "name": "After", "priority": 7 }"""))).EnsureSuccessStatusCode();
        (await http.DeleteAsync($"/v1/surveys/{deleted.Id}")).EnsureSuccessStatusCode();
        var added = await (await http.PostAsync("/v1/surveys", Json.Body("""{ "name": "Added", "priority": 4 }"""))).ReadJson<SurveyResource>(201);
        rig.Clock.Advance(TimeSpan.FromSeconds(6));
        var second = await cache.GetAsync(ws.WorkspaceId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Select(s => s.Name), Is.EqualTo(new[] { "After", "Kept", "Added", SurveyDefaults.Name }));
            Assert.That(second.Single(s => s.Id == kept.Id), Is.SameAs(first.Single(s => s.Id == kept.Id)), "unchanged: not read again");
            Assert.That(second.Single(s => s.Id == edited.Id), Is.Not.SameAs(first.Single(s => s.Id == edited.Id)));
            Assert.That(second.Select(s => s.Id), Does.Contain(added.Id).And.Not.Contain(deleted.Id));
        }
    }
}
