using System.Globalization;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// Ranges whose edges fall inside a day (decision Q1): the default range, which ends now in the
/// morning of a busy day, and edges at minutes and in half- and quarter-hour zones. Every answer
/// — overall, one filter, groups by a trait, a filter with groups by another (pairs), series — is
/// compared with a LINQ count of the seeded rows, on each storage provider; the hour tables the
/// hook maintained are compared with their rebuild.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class HourlyAggregateTests(StorageProvider provider)
{
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Today = new(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Before noon UTC: the morning up to now is between the range's end and its nearest midnight.</summary>
    static readonly DateTimeOffset Now = new(2026, 1, 31, 9, 37, 12, 345, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    List<Seeded> _rows = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Analytics:PairTraits"] = "plan, role, locale" }, provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        var accounts = NpsFakers.Accounts(1901).Generate(12);
        var users = NpsFakers.Users(1902, accounts).Generate(90);
        var month = NpsFakers.Showings(1903, users, DataFrom, Today).Generate(300);
        var busyMorning = NpsFakers.Showings(1904, users, Today, Now.AddMinutes(-1)).Generate(300);
        _rows = await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId, month.Concat(busyMorning));
        _app.Time.AdjustTime(Now);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    // query (without from, to: the default range, 90 days to now), from, to, interval, tz
    [TestCase("", null, null, null, null)]
    [TestCase("&groupBy=plan", null, null, null, null)]
    [TestCase("&where[plan]=premium", null, null, null, null)]
    [TestCase("&where[plan]=premium&groupBy=role", null, null, null, null)]
    [TestCase("&where[plan]=premium&where[role]=admin", null, null, null, null)]
    [TestCase("&groupBy=role", null, null, "day", "Asia/Kolkata")]
    [TestCase("&groupBy=plan", null, null, "day", "Asia/Kathmandu")]
    [TestCase("&where[role]=admin&groupBy=plan", "2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z", "week", "America/New_York")]
    [TestCase("&groupBy=industry", "2026-01-12T03:00:00Z", "2026-01-31T05:00:00Z", null, null)]
    [TestCase("&groupBy=plan", "2026-01-12T03:00:00Z", "2026-01-31T05:00:00Z", "day", "Australia/Adelaide")]
    public async Task PartialEdges_EqualTheRawRows(string query, string? from, string? to, string? interval, string? tz)
    {
        var url = "/v1/metrics/nps?" + (query
            + (from is null ? "" : "&from=" + Uri.EscapeDataString(from)) + (to is null ? "" : "&to=" + Uri.EscapeDataString(to))
            + (interval is null ? "" : "&interval=" + interval) + (tz is null ? "" : "&tz=" + Uri.EscapeDataString(tz))).TrimStart('&');
        var response = await _http.GetAsync(url);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), url + "\n" + await response.Content.ReadAsStringAsync());
        var report = await response.ReadJson<NpsReport>();

        var toMs = to is null ? Now.ToUnixTimeMilliseconds() : DateTimeOffset.Parse(to, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var fromMs = from is null ? toMs - 90 * TimeBuckets.DayMs : DateTimeOffset.Parse(from, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var zone = tz is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(tz);
        var parts = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToList();
        var filters = parts.Where(p => p[0].StartsWith("where[", StringComparison.Ordinal)).ToDictionary(p => p[0][6..^1], p => p[1]);
        var groupBy = parts.Where(p => p[0] == "groupBy").Select(p => p[1]).SingleOrDefault();
        bool Matches(Seeded r) => filters.All(f => Expected.Trait(r, f.Key) == f.Value);

        var headline = Expected.Count(_rows, fromMs, toMs, Matches);
        Assert.That(Expected.Count(_rows, Today.ToUnixTimeMilliseconds(), toMs, Matches).Responses, Is.GreaterThan(0), "answers in the edge day");
        Expected.AssertSame(headline, report, url);
        if (interval is not null)
            Expected.AssertSeries(_rows, report.Series!, Matches, fromMs, toMs, interval, zone, url);
        if (groupBy is null)
            return;
        var values = _rows.Select(r => Expected.Trait(r, groupBy)).OfType<string>().Distinct()
            .Select(v => (Value: v, Counts: Expected.Count(_rows, fromMs, toMs, r => Matches(r) && Expected.Trait(r, groupBy) == v)))
            .Where(g => g.Counts.Displays + g.Counts.Responses > 0)
            .ToList();
        Assert.That(report.Groups!.Select(g => g.Value), Is.EquivalentTo(values.Select(g => g.Value)), url);
        foreach (var (value, counts) in values)
        {
            var group = report.Groups!.Single(g => g.Value == value);
            Expected.AssertSame(counts, group, $"{url} group {value}");
            if (interval is not null)
                Expected.AssertSeries(_rows, group.Series!, r => Matches(r) && Expected.Trait(r, groupBy) == value, fromMs, toMs, interval, zone, $"{url} group {value}");
        }
    }

    [Test]
    public async Task TheDefaultRange_ReadsTheHourRows_OfTheSegments()
    {
        // Moving a count between two hour rows of the morning (one plan's value to another) changes the answer
        // by exactly that: the groups are read from the hour rows, not from raw rows.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var hour = (Today.ToUnixTimeMilliseconds() + 3 * TimeBuckets.HourMs) / TimeBuckets.HourMs;
        var before = await (await _http.GetAsync("/v1/metrics/nps?groupBy=plan")).ReadJson<NpsReport>();
        const string move = "UPDATE nps_hourly SET trait_value = @To WHERE trait_key = 'plan' AND hour = @Hour AND trait_value = @From";
        string plan;
        using (var c = _app.Db.Open())
            plan = c.ExecuteScalar<string>("SELECT min(trait_value) FROM nps_hourly WHERE trait_key = 'plan' AND hour = @Hour", new { Hour = hour })!;
        Assert.That(await writer.ExecuteAsync((c, tx) => c.Execute(move, new { Hour = hour, From = plan, To = "moved-for-the-test" }, tx)), Is.EqualTo(1));
        try
        {
            var after = await (await _http.GetAsync("/v1/metrics/nps?groupBy=plan")).ReadJson<NpsReport>();
            var movedGroup = after.Groups!.Single(g => g.Value == "moved-for-the-test");
            var planBefore = before.Groups!.Single(g => g.Value == plan);
            var planAfter = after.Groups!.Single(g => g.Value == plan);
            Assert.That(planAfter.Displays + movedGroup.Displays, Is.EqualTo(planBefore.Displays));
            Assert.That(movedGroup.Displays, Is.GreaterThan(0));
            Assert.That(after.Displays, Is.EqualTo(before.Displays), "the headline reads its own rows");
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => c.Execute(move, new { Hour = hour, From = "moved-for-the-test", To = plan }, tx));
        }
    }

    [Test]
    public async Task TheHourTables_EqualTheirRebuild()
    {
        const string pairs = """
            SELECT survey_id || '|' || key_a || '|' || key_b || '|' || hour || '|' || value_a || '|' || value_b || '|' || displays || '|'
                   || promoters || '|' || passives || '|' || detractors || '|' || score_sum || '|' || score_squares
            FROM nps_pair_hourly ORDER BY 1
            """;
        var (maintained, recomputed) = await Recomputation.Of(_app, pairs, PairAggregates.Rebuild);
        Assert.That(maintained, Has.Count.GreaterThan(100));
        Assert.That(maintained, Is.EqualTo(recomputed));
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT count(DISTINCT trait_key) FROM nps_hourly"), Is.GreaterThan(5), "rows for all data, each trait, locale and channel");
    }
}
