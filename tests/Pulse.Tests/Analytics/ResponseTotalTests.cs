using System.Globalization;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// The response list's <c>total</c> read from the NPS aggregates (decision RL1): for whole days, edges inside
/// a day and an hour, trait filters, pairs, categories and a survey, and after an update and an erasure, the
/// total equals a LINQ count of the seeded rows on each storage provider, and the aggregate read itself is
/// checked apart from the list (so a fallback to the raw count cannot hide a wrong fast path).
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ResponseTotalTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Today = new(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Now = new(2026, 1, 31, 9, 37, 12, 345, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    HttpClient _browser = null!;
    List<Seeded> _rows = null!;
    string _surveyId = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Analytics:PairTraits"] = "plan, role" }, provider: provider);
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        var other = _app.CreateWorkspace("Globex", ["https://globex.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        _browser = _app.BrowserClient(Origin);
        var seed = new AnalyticsSeed(_app);
        var accounts = NpsFakers.Accounts(2301).Generate(12);
        var users = NpsFakers.Users(2302, accounts).Generate(90);
        var month = NpsFakers.Showings(2303, users, DataFrom, Today).Generate(300);
        var busyMorning = NpsFakers.Showings(2304, users, Today, Now.AddMinutes(-1)).Generate(300);
        _rows = await seed.AddAsync(_acme.WorkspaceId, month.Concat(busyMorning));
        await seed.AddAsync(other.WorkspaceId, NpsFakers.Showings(2305, users, DataFrom, Now.AddMinutes(-1)).Generate(200));
        _surveyId = seed.SurveyOf(_acme.WorkspaceId);
        _app.Time.AdjustTime(Now);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _browser.Dispose();
        _app.Dispose();
    }

    // query, from, to, whether the aggregates answer it
    [TestCase("", null, null, true)]
    [TestCase("&where[plan]=premium", null, null, true)]
    [TestCase("&where[role]=admin", "2026-01-05", "2026-01-20", true)]
    [TestCase("&where[plan]=premium&where[role]=admin", null, null, true)]
    [TestCase("&where[plan]=starter&where[role]=viewer", "2026-01-10T08:20:00Z", "2026-01-31T07:45:30Z", true)]
    [TestCase("&category=detractor&where[plan]=premium", null, null, true)]
    [TestCase("&category=promoter,passive", "2026-01-12T03:00:00Z", "2026-01-31T05:00:00Z", true)]
    [TestCase("&where[industry]=Retail", "2026-01-31T03:15:00Z", null, true)]
    [TestCase("", "2026-01-31T00:10:00Z", "2026-01-31T08:10:00Z", true)]
    [TestCase("&where[plan]=premium", "2026-01-30T22:50:00Z", "2026-01-31T08:45:00Z", true)]
    [TestCase("&survey=1&where[plan]=premium", null, "2026-01-31T06:30:00Z", true)]
    [TestCase("&where[plan]=premium&where[industry]=Retail", null, null, false)] // industry is not listed for pairs
    [TestCase("&where[plan]=premium&withComment=true", null, null, false)]
    public async Task Total_EqualsTheRawRows(string query, string? from, string? to, bool aggregates)
    {
        var parts = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToList();
        var filters = parts.Where(p => p[0].StartsWith("where[", StringComparison.Ordinal)).ToDictionary(p => p[0][6..^1], p => p[1]);
        var categories = parts.Where(p => p[0] == "category").Select(p => p[1].Split(',')).SingleOrDefault();
        var withComment = parts.Any(p => p[0] == "withComment");
        var survey = parts.Any(p => p[0] == "survey") ? _surveyId : null;
        var url = "/v1/responses?limit=3" + query.Replace("&survey=1", "&surveyId=" + survey, StringComparison.Ordinal)
            + (from is null ? "" : "&from=" + Uri.EscapeDataString(from)) + (to is null ? "" : "&to=" + Uri.EscapeDataString(to));
        var fromMs = from is null ? long.MinValue : Instant(from, endOfDay: false);
        var toMs = to is null ? long.MaxValue : Instant(to, endOfDay: true);

        var expected = _rows.LongCount(r => r.AnsweredAt is { } at && at >= fromMs && at < toMs
            && filters.All(f => Expected.Trait(r, f.Key) == f.Value)
            && (categories is null || categories.Contains(r.Category))
            && (!withComment || !string.IsNullOrEmpty(r.Showing.Comment)));
        Assert.That(expected, Is.GreaterThan(3), "more than one page");
        var page = await (await _http.GetAsync(url)).ReadJson<ResponsePage>();
        Assert.That(page.Total, Is.EqualTo(expected), url);

        // The aggregate read alone: it answers exactly what it should, and equals the rows.
        var filter = new ResponseFilter(_acme.WorkspaceId, survey, fromMs, toMs, categories, filters, null, withComment);
        using var c = _app.Db.Open();
        var fast = _app.Services.GetRequiredService<ResponseReadStore>().TotalFromAggregates(c, filter);
        Assert.That(fast, aggregates ? Is.EqualTo(expected) : Is.Null, url);
    }

    static long Instant(string text, bool endOfDay) => text.Length == 10
        ? DateTimeOffset.Parse(text + "T00:00:00Z", CultureInfo.InvariantCulture).AddDays(endOfDay ? 1 : 0).ToUnixTimeMilliseconds()
        : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Test]
    public async Task Total_ReadsTheAggregates()
    {
        // Counts added to one day row and one hour row of premium change the filtered total by exactly that.
        // The range's end inside today reads today's whole hours from nps_hourly (Q1); its start inside 2 January reads days from the 3rd.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var today = Today.ToUnixTimeMilliseconds();
        long day, hour;
        using (var c = _app.Db.Open())
        {
            day = c.ExecuteScalar<long>("SELECT min(day) FROM nps_daily WHERE trait_key = 'plan' AND trait_value = 'premium' AND day >= @From AND day < @To",
                new { From = today / TimeBuckets.DayMs - 28, To = today / TimeBuckets.DayMs });
            hour = c.ExecuteScalar<long>("SELECT min(hour) FROM nps_hourly WHERE trait_key = 'plan' AND trait_value = 'premium' AND hour >= @From AND hour < @To",
                new { From = today / TimeBuckets.HourMs, To = today / TimeBuckets.HourMs + 8 });
        }
        const string url = "/v1/responses?limit=3&where[plan]=premium&from=2026-01-02T06:00:00Z&to=2026-01-31T08:45:00Z";
        var before = (await (await _http.GetAsync(url)).ReadJson<ResponsePage>()).Total;
        const string addDay = "UPDATE nps_daily SET passives = passives + @N WHERE trait_key = 'plan' AND trait_value = 'premium' AND day = @Day";
        const string addHour = "UPDATE nps_hourly SET detractors = detractors + @N WHERE trait_key = 'plan' AND trait_value = 'premium' AND hour = @Hour";
        Assert.That(await writer.ExecuteAsync((c, tx) => c.Execute(addDay, new { N = 1000, Day = day }, tx) + c.Execute(addHour, new { N = 7, Hour = hour }, tx)),
            Is.EqualTo(2), "both rows exist");
        try
        {
            var after = (await (await _http.GetAsync(url)).ReadJson<ResponsePage>()).Total;
            Assert.That(after, Is.EqualTo(before + 1007));
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => c.Execute(addDay, new { N = -1000, Day = day }, tx) + c.Execute(addHour, new { N = -7, Hour = hour }, tx));
        }
    }

    [Test]
    public async Task Total_FollowsAnUpdateAndAnErasure()
    {
        var row = _rows.Last(r => r.Showing.Score is >= 9 && r.AnsweredAt is not null && r.Showing.User.Account.Plan == "premium");
        _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(row.AnsweredAt!.Value).AddMinutes(5));
        try
        {
            var post = await _browser.PostAsync("/v1/responses", Json.Of(new { displayToken = row.Token, score = 3 }));
            Assert.That((int)post.StatusCode, Is.EqualTo(200), await post.Content.ReadAsStringAsync());
        }
        finally
        {
            _app.Time.AdjustTime(Now);
        }
        _rows[_rows.IndexOf(row)] = row with { Showing = row.Showing with { Score = 3 } };

        var erased = _rows.First(r => r.AnsweredAt is not null && r.Showing.User.Account.Plan == "premium").Showing.User.UserId;
        (await _http.DeleteAsync($"/v1/users/{erased}")).EnsureSuccessStatusCode();
        _rows.RemoveAll(r => r.Showing.User.UserId == erased);

        foreach (var query in new[] { "&category=detractor&where[plan]=premium", "&category=promoter&where[plan]=premium&where[role]=" + row.Showing.User.Role, "" })
        {
            var parts = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToList();
            var filters = parts.Where(p => p[0].StartsWith("where[", StringComparison.Ordinal)).ToDictionary(p => p[0][6..^1], p => p[1]);
            var category = parts.Where(p => p[0] == "category").Select(p => p[1]).SingleOrDefault();
            var expected = _rows.LongCount(r => r.AnsweredAt is not null && filters.All(f => Expected.Trait(r, f.Key) == f.Value)
                && (category is null || r.Category == category));
            var page = await (await _http.GetAsync("/v1/responses?limit=1" + query)).ReadJson<ResponsePage>();
            Assert.That(page.Total, Is.EqualTo(expected), query);
        }
    }
}
