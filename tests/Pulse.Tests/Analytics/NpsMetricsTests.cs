using System.Globalization;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// A few thousand generated showings over five months, created through the public endpoints
/// (eligibility, responses); every headline, series point and group the API returns is compared
/// with a LINQ computation over the same showings, on each storage provider.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class NpsMetricsTests(StorageProvider provider)
{
    static readonly DateTimeOffset DataFrom = new(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset DataTo = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    const string Origin = "https://app.acme.test";

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    CreatedWorkspace _other = null!;
    HttpClient _http = null!;
    List<Seeded> _rows = null!;
    string _surveyId = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _other = _app.CreateWorkspace("Globex", [Origin]);
        _http = _app.SecretClient(_acme.SecretKey);

        var accounts = NpsFakers.Accounts(601).Generate(40);
        var users = NpsFakers.Users(602, accounts).Generate(600);
        var showings = NpsFakers.Showings(603, users, DataFrom, DataTo).Generate(3000);
        _rows = await ApiSeed.AddAsync(_app, _acme, Origin, showings);
        _surveyId = new AnalyticsSeed(_app).SurveyOf(_acme.WorkspaceId);
        // The other workspace has data too, which must never show up in Acme's numbers.
        await ApiSeed.AddAsync(_app, _other, Origin, NpsFakers.Showings(604, users, DataFrom, DataTo).Generate(200));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    [Test]
    public void GeneratedData_IsRealistic()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_rows, Has.Count.EqualTo(3000));
            Assert.That(_rows.Count(r => r.ResponseId is not null), Is.InRange(1900, 2300));
            Assert.That(_rows.Select(r => Expected.Trait(r, "plan")).Distinct().Count(), Is.EqualTo(NpsFakers.Plans.Length));
            Assert.That(_rows.Select(r => r.Category).Distinct().Count(), Is.EqualTo(4), "three categories and unanswered");
        }
    }

    // interval, tz, groupBy, where ("k=v;k=v"), from, to
    [TestCase(null, null, null, null, "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("month", null, "plan", null, "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("week", "Europe/Berlin", "csm", null, "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("day", "Asia/Kolkata", "role", null, "2025-12-20T00:00:00Z", "2026-01-20T00:00:00Z")]
    [TestCase("quarter", "America/New_York", "industry", null, "2025-09-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [TestCase("month", null, null, "plan=enterprise", "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("week", null, "role", "plan=premium", "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("month", "Europe/Berlin", "plan", "csm=Dana;industry=HR", "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase(null, null, "arr", null, "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("month", null, "accountId", null, "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("day", "Asia/Kathmandu", "companySize", null, "2025-11-03T07:13:21.123Z", "2025-12-17T16:45:00.001Z")]
    [TestCase("month", "Australia/Adelaide", "companySize", "companySize=51-200", "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("month", "Europe/Berlin", "plan", null, "2025-11-01", "2026-01-31")]
    [TestCase("week", null, null, "arr=0", "2025-10-01T00:00:00Z", "2026-03-01T00:00:00Z")]
    [TestCase("day", "Europe/Berlin", "plan", null, "2025-10-01T00:00:00Z", "2026-01-10T00:00:00Z")]
    public async Task Metrics_MatchADirectComputationOverTheGeneratedData(string? interval, string? tz, string? groupBy, string? where,
        string from, string to)
    {
        var zone = tz is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(tz);
        var filters = (where ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        var query = $"/v1/metrics/nps?surveyId={_surveyId}&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}"
            + (interval is null ? "" : $"&interval={interval}") + (tz is null ? "" : $"&tz={Uri.EscapeDataString(tz)}")
            + (groupBy is null ? "" : $"&groupBy={groupBy}")
            + string.Concat(filters.Select(f => $"&where[{f.Key}]={Uri.EscapeDataString(f.Value)}"));

        var report = await (await _http.GetAsync(query)).ReadJson<NpsReport>();

        var fromMs = Instant(from, zone, endOfDay: false);
        var toMs = Instant(to, zone, endOfDay: true);
        bool Matches(Seeded r) => filters.All(f => Expected.Trait(r, f.Key) == f.Value);
        var headline = Expected.Count(_rows, fromMs, toMs, Matches);
        Assert.That(headline.Responses, Is.GreaterThan(0), "the case should have data");
        Expected.AssertSame(headline, report, "headline");

        if (interval is null)
            Assert.That(report.Series, Is.Null);
        else
            Expected.AssertSeries(_rows, report.Series!, Matches, fromMs, toMs, interval, zone, "series");

        if (groupBy is null)
        {
            Assert.That(report.Groups, Is.Null);
            return;
        }
        var values = _rows.Where(Matches).Select(r => Expected.Trait(r, groupBy)).OfType<string>().Distinct().ToList();
        var expectedGroups = values
            .Select(v => (Value: v, Counts: Expected.Count(_rows, fromMs, toMs, r => Matches(r) && Expected.Trait(r, groupBy) == v)))
            .Where(g => g.Counts.Displays + g.Counts.Responses > 0)
            .ToList();
        Assert.That(report.Groups!.Select(g => g.Value), Is.EquivalentTo(expectedGroups.Select(g => g.Value)));
        Assert.That(report.Groups!.Select(g => g.Responses), Is.Ordered.Descending, "biggest segments first");
        foreach (var (value, counts) in expectedGroups)
        {
            var group = report.Groups!.Single(g => g.Value == value);
            Expected.AssertSame(counts, group, $"group {value}");
            if (interval is null)
                Assert.That(group.Series, Is.Null);
            else
                Expected.AssertSeries(_rows, group.Series!, r => Matches(r) && Expected.Trait(r, groupBy) == value, fromMs, toMs, interval, zone, $"group {value}");
        }
    }

    static long Instant(string text, TimeZoneInfo zone, bool endOfDay)
    {
        if (text.Length == 10)
        {
            var date = DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (endOfDay)
                date = date.AddDays(1);
            return new DateTimeOffset(date, zone.GetUtcOffset(date)).ToUnixTimeMilliseconds();
        }
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
    }

    [Test]
    public async Task Metrics_WithoutSurveyId_CoverEveryNpsSurveyOfTheWorkspace()
    {
        var named = await (await _http.GetAsync($"/v1/metrics/nps?surveyId={_surveyId}&from=2025-10-01&to=2026-02-28")).ReadJson<NpsReport>();
        var all = await (await _http.GetAsync("/v1/metrics/nps?from=2025-10-01&to=2026-02-28")).ReadJson<NpsReport>();

        Assert.That(all, Is.EqualTo(named with { Series = null, Groups = null }));
    }

    [Test]
    public async Task Metrics_WithoutRange_AreTheLastNinetyDaysToNow()
    {
        var now = DataTo.AddDays(10).AddHours(5);
        _app.Time.AdjustTime(now);

        var report = await (await _http.GetAsync("/v1/metrics/nps")).ReadJson<NpsReport>();

        var expected = Expected.Count(_rows, now.AddDays(-90).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), _ => true);
        Expected.AssertSame(expected, report, "last 90 days");
    }

    [Test]
    public async Task Metrics_EmptyRange_AreZerosNotErrors()
    {
        var report = await (await _http.GetAsync($"/v1/metrics/nps?surveyId={_surveyId}&from=2024-01-01&to=2024-03-31&interval=month&groupBy=plan")).ReadJson<NpsReport>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Nps, Is.Null);
            Assert.That(report.Responses, Is.Zero);
            Assert.That(report.Displays, Is.Zero);
            Assert.That(report.ResponseRate, Is.Null);
            Assert.That(report.MarginOfError, Is.Null);
            Assert.That(report.LowSample, Is.True);
            Assert.That(report.Series!.Select(p => p.Start), Is.EqualTo(new[] { "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z" }));
            Assert.That(report.Series!.Select(p => p.Responses), Is.All.Zero);
            Assert.That(report.Groups, Is.Empty);
        }
    }

    [Test]
    public async Task Metrics_GroupByUnknownTrait_HasEmptyGroupsAndTheFullHeadline()
    {
        var report = await (await _http.GetAsync($"/v1/metrics/nps?surveyId={_surveyId}&from=2025-10-01&to=2026-02-28&groupBy=favouriteColour")).ReadJson<NpsReport>();
        var plain = await (await _http.GetAsync($"/v1/metrics/nps?surveyId={_surveyId}&from=2025-10-01&to=2026-02-28")).ReadJson<NpsReport>();

        Assert.That(report.Groups, Is.Empty);
        Assert.That(report with { Groups = null }, Is.EqualTo(plain));
    }

    [Test]
    public async Task Metrics_SurveyOfAnotherWorkspace_Is404()
    {
        var otherSurvey = new AnalyticsSeed(_app).SurveyOf(_other.WorkspaceId);

        var metrics = await _http.GetAsync($"/v1/metrics/nps?surveyId={otherSurvey}");
        var list = await _http.GetAsync($"/v1/responses?surveyId={otherSurvey}");
        var csv = await _http.GetAsync($"/v1/responses.csv?surveyId={otherSurvey}");
        var accounts = await _http.GetAsync($"/v1/accounts?surveyId={otherSurvey}");
        var missing = await _http.GetAsync("/v1/metrics/nps?surveyId=srv_nope");

        await metrics.AssertProblem(404);
        await list.AssertProblem(404);
        await csv.AssertProblem(404);
        await accounts.AssertProblem(404);
        await missing.AssertProblem(404);
    }

    [Test]
    public async Task Metrics_WithoutSecretKey_Are401()
    {
        using var anonymous = _app.CreateClient();
        foreach (var path in new[] { "/v1/metrics/nps", "/v1/responses", "/v1/responses.csv", "/v1/accounts" })
            await (await anonymous.GetAsync(path)).AssertProblem(401);
    }

    [TestCase("/v1/metrics/nps?interval=year", "interval")]
    [TestCase("/v1/metrics/nps?tz=Mars/Olympus_Mons", "tz")]
    [TestCase("/v1/metrics/nps?tz=W.%20Europe%20Standard%20Time", "tz")]
    [TestCase("/v1/metrics/nps?from=yesterday", "from")]
    [TestCase("/v1/metrics/nps?from=2026-01-01T00:00:00", "from")]
    [TestCase("/v1/metrics/nps?to=2026-13-01", "to")]
    [TestCase("/v1/metrics/nps?from=2026-02-01&to=2026-01-01", "to")]
    [TestCase("/v1/metrics/nps?groupBy=", "groupBy")]
    [TestCase("/v1/metrics/nps?groupBy=a%22b", "groupBy")]
    [TestCase("/v1/metrics/nps?where[pl%5Can]=x", "where[pl\\an]")]
    [TestCase("/v1/metrics/nps?filter[plan]=premium", "filter[plan]")]
    [TestCase("/v1/metrics/nps?interval=day&interval=week", "interval")]
    [TestCase("/v1/metrics/nps?interval=day&from=2000-01-01&to=2026-01-01", "interval")]
    [TestCase("/v1/responses?limit=0", "limit")]
    [TestCase("/v1/responses?limit=201", "limit")]
    [TestCase("/v1/responses?cursor=not-a-cursor", "cursor")]
    [TestCase("/v1/responses?category=fan", "category")]
    [TestCase("/v1/responses.csv?category=promoter,fan", "category")]
    [TestCase("/v1/responses?q=", "q")]
    [TestCase("/v1/accounts?sort=revenue", "sort")]
    [TestCase("/v1/accounts?npsThreshold=150", "npsThreshold")]
    [TestCase("/v1/accounts?arrThreshold=lots", "arrThreshold")]
    [TestCase("/v1/accounts?quadrant=doomed", "quadrant")]
    public async Task BadParameters_Are400ProblemsNamingTheParameter(string path, string parameter)
    {
        var problem = await (await _http.GetAsync(path)).AssertProblem(400);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty(parameter, out _), Is.True, problem.ToString());
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain($"'{parameter}'"));
        }
    }
}
