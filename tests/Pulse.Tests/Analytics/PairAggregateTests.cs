using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// A filter with groups by another key, and two filters, answered from <c>nps_pair_daily</c> (decision
/// P4): every answer equals the same request counted from raw rows (the pair keys emptied, so the
/// store falls back to them), over whole and partial days, in zones off UTC, after an update and an
/// erasure; and the maintained table equals its rebuild.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class PairAggregateTests(StorageProvider provider)
{
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset DataTo = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    List<Seeded> _rows = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Analytics:PairTraits"] = "plan, role, industry, locale" }, provider: provider);
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        var accounts = NpsFakers.Accounts(901).Generate(12);
        var users = NpsFakers.Users(902, accounts).Generate(90);
        _rows = await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId, NpsFakers.Showings(903, users, DataFrom, DataTo).Generate(600));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    string Plan => _rows.First(r => r.AnsweredAt is not null).Showing.User.Account.Plan;

    string Industry => _rows.First(r => r.AnsweredAt is not null).Showing.User.Account.Industry;

    IEnumerable<string> Requests()
    {
        var (plan, industry) = (Uri.EscapeDataString(Plan), Uri.EscapeDataString(Industry));
        foreach (var range in new[] { "from=2026-01-01&to=2026-01-31", "from=2026-01-03T05:30:00Z&to=2026-01-20T17:10:00Z" })
        {
            yield return $"/v1/metrics/nps?{range}&where[plan]={plan}&groupBy=role";
            yield return $"/v1/metrics/nps?{range}&where[role]=admin&groupBy=plan&interval=week&tz=America/New_York";
            yield return $"/v1/metrics/nps?{range}&where[plan]={plan}&where[industry]={industry}";
            yield return $"/v1/metrics/nps?{range}&where[plan]={plan}&where[industry]={industry}&groupBy=industry&interval=day&tz=Asia/Kolkata";
            yield return $"/v1/metrics/nps?{range}&where[locale]=en&groupBy=plan&interval=month&tz=Europe/Berlin";
            yield return $"/v1/metrics/nps?{range}&where[industry]={industry}&groupBy=locale&interval=day";
        }
    }

    /// <summary>Each request's answer with the pair aggregates, and again counted from raw rows.</summary>
    async Task AssertPairsEqualRawRows()
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var fromPairs = new List<string>();
        foreach (var url in Requests())
            fromPairs.Add(await Get(url));
        await writer.ExecuteAsync((c, tx) => c.Execute("DELETE FROM nps_pair_keys", transaction: tx));
        try
        {
            var i = 0;
            foreach (var url in Requests())
                Assert.That(fromPairs[i++], Is.EqualTo(await Get(url)), url);
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => PairAggregates.Sync(c, tx, PairAggregates.KeysOf("plan,role,industry,locale")));
        }
    }

    async Task<string> Get(string url)
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), url + "\n" + body);
        return body;
    }

    [Test]
    public async Task FilterWithGroupBy_AndTwoFilters_EqualRawRows()
    {
        using (var c = _app.Db.Open())
        {
            Assert.That(c.Query<string>("SELECT key FROM nps_pair_keys ORDER BY key"), Is.EqualTo(new[] { "@locale", "industry", "plan", "role" }));
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM nps_pair_daily WHERE key_a = 'industry' AND key_b = 'plan'"), Is.GreaterThan(20));
        }
        var body = await Get($"/v1/metrics/nps?from=2026-01-01&to=2026-01-31&where[plan]={Uri.EscapeDataString(Plan)}&groupBy=role");
        Assert.That(body, Does.Contain("\"groups\":[{"), "the request has groups to compare");
        await AssertPairsEqualRawRows();
        await AssertMaintainedEqualsRebuild();
    }

    [Test]
    public async Task AfterAnUpdateAndAnErasure_PairsStillEqualRawRows()
    {
        var answered = _rows.Where(r => r.AnsweredAt is not null).ToList();
        // A changed score (moves the count between categories), then an erased user (their responses and displays deleted).
        var changed = answered[3];
        _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(changed.AnsweredAt!.Value).AddMinutes(5));
        using (var browser = _app.BrowserClient("https://app.acme.test"))
        {
            var post = await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = changed.Token, score = changed.Showing.Score >= 7 ? 1 : 10 }));
            Assert.That((int)post.StatusCode, Is.EqualTo(200), await post.Content.ReadAsStringAsync());
        }
        var erased = answered[20].Showing.User.UserId;
        (await _http.DeleteAsync($"/v1/users/{erased}")).EnsureSuccessStatusCode();

        await AssertPairsEqualRawRows();
        await AssertMaintainedEqualsRebuild();
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM nps_pair_daily WHERE displays < 0 OR promoters < 0 OR passives < 0 OR detractors < 0"), Is.Zero);
    }

    [Test]
    public async Task ChangingTheListedKeys_RebuildsTheTable_AndUnlistedKeysReadRawRows()
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        try
        {
            Assert.That(await writer.ExecuteAsync((c, tx) => PairAggregates.Sync(c, tx, PairAggregates.KeysOf("plan,csm"))), Is.True);
            using (var c = _app.Db.Open())
                Assert.That(c.Query<string>("SELECT DISTINCT key_a || '+' || key_b FROM nps_pair_daily"), Is.EqualTo(new[] { "csm+plan" }));
            Assert.That(await writer.ExecuteAsync((c, tx) => PairAggregates.Sync(c, tx, PairAggregates.KeysOf("csm, plan"))), Is.False, "the same keys");
            // role is no longer listed: the request reads raw rows and still answers the same.
            await AssertPairsEqualRawRows();
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => PairAggregates.Sync(c, tx, PairAggregates.KeysOf("plan,role,industry,locale")));
        }
    }

    /// <summary>What the hook maintained in <c>nps_pair_daily</c> equals its rebuild from raw rows (in a savepoint rolled back).</summary>
    async Task AssertMaintainedEqualsRebuild()
    {
        const string dump = """
            SELECT survey_id || '|' || key_a || '|' || key_b || '|' || day || '|' || value_a || '|' || value_b || '|' || displays || '|'
                   || promoters || '|' || passives || '|' || detractors || '|' || score_sum || '|' || score_squares
            FROM nps_pair_daily ORDER BY 1
            """;
        var (maintained, recomputed) = await Recomputation.Of(_app, dump, PairAggregates.Rebuild);
        Assert.That(maintained, Has.Count.GreaterThan(100));
        Assert.That(maintained, Is.EqualTo(recomputed));
    }
}
