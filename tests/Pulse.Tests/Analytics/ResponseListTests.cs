using System.Text.Json;
using CsvHelper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>The response list (cursor paging, filters), its CSV export and the accounts list, against generated data.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ResponseListTests(StorageProvider provider)
{
    static readonly DateTimeOffset DataFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset DataTo = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    List<Seeded> _rows = null!;
    List<FakeUser> _users = null!;
    AnalyticsSeed _seed = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme");
        var other = _app.CreateWorkspace("Globex", ["https://globex.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        _seed = new AnalyticsSeed(_app);

        var accounts = NpsFakers.Accounts(701).Generate(25);
        _users = NpsFakers.Users(702, accounts).Generate(300);
        var showings = NpsFakers.Showings(703, _users, DataFrom, DataTo).Generate(800);
        // Hostile text: a formula in a comment and in a trait value, quotes, commas and line breaks.
        var mallory = new FakeUser("u_mallory", "=HYPERLINK(\"http://evil.test\")@x.test", "-2+3", accounts[0]);
        showings.Add(new FakeShowing(mallory, DataFrom.AddDays(3), 2, TimeSpan.FromMinutes(1),
            "=cmd|' /C calc'!A0, \"quoted\"\nsecond line", "en", "https://app.acme.test/x"));
        // Formulas behind invisible or look-alike characters, which spreadsheets that trim cells still run.
        var trudy = new FakeUser("u_trudy", "trudy@x.test", "\u200b\uff1dHYPERLINK(\"http://evil.test\")", accounts[0]);
        showings.Add(new FakeShowing(trudy, DataFrom.AddDays(4), 1, TimeSpan.FromMinutes(1), "\u00a0 =1+1", "en", "https://app.acme.test/y"));
        _rows = await _seed.AddAsync(_acme.WorkspaceId, showings);
        await _seed.AddAsync(other.WorkspaceId, NpsFakers.Showings(704, _users, DataFrom, DataTo).Generate(100));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    List<Seeded> Answered => _rows.Where(r => r.ResponseId is not null)
        .OrderByDescending(r => r.AnsweredAt).ThenByDescending(r => r.ResponseId).ToList();

    async Task<List<ResponseItem>> All(string query, int limit)
    {
        var items = new List<ResponseItem>();
        string? cursor = null;
        do
        {
            var page = await (await _http.GetAsync($"/v1/responses?limit={limit}{query}" + (cursor is null ? "" : $"&cursor={cursor}")))
                .ReadJson<ResponsePage>();
            Assert.That(page.Items, Has.Count.LessThanOrEqualTo(limit));
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return items;
    }

    [Test]
    public async Task List_PagesThroughEveryResponseNewestFirst_WithTheDisplaySnapshot()
    {
        var items = await All("", 37);

        var expected = Answered;
        Assert.That(items.Select(i => i.Id), Is.EqualTo(expected.Select(r => r.ResponseId!.Value)));
        foreach (var (item, row) in items.Zip(expected))
        {
            var s = row.Showing;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(item.UserId, Is.EqualTo(s.User.UserId));
                Assert.That(item.Email, Is.EqualTo(s.User.Email));
                Assert.That(item.Score, Is.EqualTo(s.Score));
                Assert.That(item.Category, Is.EqualTo(row.Category));
                Assert.That(item.Comment, Is.EqualTo(s.Comment));
                Assert.That(item.Url, Is.EqualTo(s.Url));
                Assert.That(item.Locale, Is.EqualTo(s.Locale));
                Assert.That(item.SurveyId, Is.EqualTo(row.SurveyId));
                Assert.That(item.CreatedAt.ToUnixTimeMilliseconds(), Is.EqualTo(row.AnsweredAt));
                Assert.That(item.Traits.GetProperty("plan").GetString(), Is.EqualTo(s.User.Account.Plan));
                Assert.That(item.Traits.GetProperty("arr").GetInt64(), Is.EqualTo(s.User.Account.Arr));
            }
        }
    }

    [Test]
    public async Task List_Cursor_StaysCorrectWhileResponsesArrive()
    {
        var before = Answered.Select(r => r.ResponseId!.Value).ToList();
        var first = await (await _http.GetAsync("/v1/responses?limit=50")).ReadJson<ResponsePage>();

        // New answers arrive between pages, later than everything so far (as new answers are).
        var arriving = NpsFakers.Showings(705, _users, DataTo.AddDays(1), DataTo.AddDays(3)).Generate(120).Where(s => s.Score is not null).ToList();
        var added = await _seed.AddAsync(_acme.WorkspaceId, arriving);
        _rows.AddRange(added);

        var rest = new List<long>();
        var cursor = first.NextCursor;
        while (cursor is not null)
        {
            var page = await (await _http.GetAsync($"/v1/responses?limit=50&cursor={cursor}")).ReadJson<ResponsePage>();
            rest.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        var fresh = await (await _http.GetAsync($"/v1/responses?limit={added.Count}")).ReadJson<ResponsePage>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Items.Select(i => i.Id).Concat(rest), Is.EqualTo(before), "no answer repeated or skipped");
            Assert.That(fresh.Items.Select(i => i.Id), Is.EquivalentTo(added.Select(a => a.ResponseId!.Value)), "new answers come first");
        }
    }

    [Test]
    public async Task List_Filters_MatchADirectComputation()
    {
        var from = new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2026, 2, 10, 0, 0, 0, TimeSpan.Zero);
        var word = _rows.Select(r => r.Showing.Comment).OfType<string>().First().Split(' ')[0].TrimEnd('.');

        var byCategory = await All("&category=detractor,passive", 200);
        var byRange = await All("&from=2026-01-10T00:00:00Z&to=2026-02-10T00:00:00Z", 200);
        var byTrait = await All("&where[plan]=premium&where[role]=admin", 200);
        var byText = await All("&q=" + Uri.EscapeDataString(word.ToUpperInvariant()), 200);
        var combined = await All("&category=detractor&where[csm]=Dana&from=2026-01-10T00:00:00Z", 200);

        List<long> Expect(Func<Seeded, bool> match) => Answered.Where(match).Select(r => r.ResponseId!.Value).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(byCategory.Select(i => i.Id), Is.EqualTo(Expect(r => r.Category is "detractor" or "passive")));
            Assert.That(byRange.Select(i => i.Id), Is.EqualTo(Expect(r => r.AnsweredAt >= from.ToUnixTimeMilliseconds() && r.AnsweredAt < to.ToUnixTimeMilliseconds())));
            Assert.That(byTrait.Select(i => i.Id), Is.EqualTo(Expect(r => Expected.Trait(r, "plan") == "premium" && Expected.Trait(r, "role") == "admin")));
            Assert.That(byText.Select(i => i.Id), Is.EqualTo(Expect(r => r.Showing.Comment?.Contains(word, StringComparison.OrdinalIgnoreCase) == true)));
            Assert.That(combined.Select(i => i.Id), Is.EqualTo(Expect(r => r.Category == "detractor" && Expected.Trait(r, "csm") == "Dana"
                && r.AnsweredAt >= from.ToUnixTimeMilliseconds())));
            Assert.That(byText, Is.Not.Empty);
            Assert.That(byTrait, Is.Not.Empty);
            Assert.That(combined, Is.Not.Empty);
        }
    }

    [Test]
    public async Task Csv_RoundTripsThroughAParser_WithTraitColumnsAndNeutralisedFormulas()
    {
        var response = await _http.GetAsync("/v1/responses.csv?where[plan]=" + _rows.Single(r => r.Showing.User.UserId == "u_mallory").Showing.User.Account.Plan);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName,
            Does.Contain("responses.csv"));
        var list = await All("&where[plan]=" + _rows.Single(r => r.Showing.User.UserId == "u_mallory").Showing.User.Account.Plan, 200);

        using var reader = CsvReader.Create(await response.Content.ReadAsStreamAsync(), CsvReaderOptions.Default with { Separator = ',' });
        var rows = new List<Dictionary<string, string?>>();
        while (reader.Read())
            rows.Add(reader.Headers.ToDictionary(h => h, h => (string?)reader.GetString(h)));

        Assert.That(reader.Headers, Is.EqualTo(CsvExport.Columns.Concat(
            ["traits.accountId", "traits.accountName", "traits.arr", "traits.companySize", "traits.csm", "traits.industry", "traits.plan", "traits.role"])));
        Assert.That(rows.Select(r => long.Parse(r["id"]!, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(list.Select(i => i.Id)));
        foreach (var (row, item) in rows.Zip(list))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(row["userId"], Is.EqualTo(CsvExport.Neutralise(item.UserId) ?? ""));
                Assert.That(row["email"], Is.EqualTo(CsvExport.Neutralise(item.Email) ?? ""));
                Assert.That(row["score"], Is.EqualTo(item.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                Assert.That(row["category"], Is.EqualTo(item.Category));
                Assert.That(row["comment"], Is.EqualTo(CsvExport.Neutralise(item.Comment) ?? ""));
                Assert.That(row["createdAt"], Is.EqualTo(item.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)));
                Assert.That(row["traits.role"], Is.EqualTo(CsvExport.Neutralise(item.Traits.GetProperty("role").GetString())));
                Assert.That(row["traits.arr"], Is.EqualTo(item.Traits.GetProperty("arr").GetRawText()));
            }
        }
        var mallory = rows.Single(r => r["userId"] == "u_mallory");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mallory["comment"], Is.EqualTo("'=cmd|' /C calc'!A0, \"quoted\"\nsecond line"));
            Assert.That(mallory["email"], Does.StartWith("'="));
            Assert.That(mallory["traits.role"], Is.EqualTo("'-2+3"));
        }
        var trudy = rows.Single(r => r["userId"] == "u_trudy");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(trudy["comment"], Is.EqualTo("'\u00a0 =1+1"));
            Assert.That(trudy["traits.role"], Is.EqualTo("'\u200b\uff1dHYPERLINK(\"http://evil.test\")"));
        }
    }

    [Test]
    public async Task Csv_EmptyResult_IsJustTheHeader()
    {
        var text = await _http.GetStringAsync("/v1/responses.csv?from=2020-01-01&to=2020-01-02");

        Assert.That(text, Is.EqualTo(string.Join(",", CsvExport.Columns) + "\r\n"));
    }

    [Test]
    public async Task Accounts_MatchADirectComputation_SortedByArrDescending()
    {
        var list = await (await _http.GetAsync("/v1/accounts?from=2026-01-01&to=2026-02-28&limit=1000")).ReadJson<AccountList>();

        var from = DataFrom.ToUnixTimeMilliseconds();
        var to = DataTo.ToUnixTimeMilliseconds();
        var answered = _rows.Where(r => r.AnsweredAt >= from && r.AnsweredAt < to).ToList();
        var expected = answered.GroupBy(r => r.Showing.User.Account.AccountId).ToDictionary(g => g.Key, g => g.ToList());
        var median = Median(expected.Values.Select(g => (double)g[0].Showing.User.Account.Arr));

        Assert.That(list.ArrThreshold, Is.EqualTo(median));
        Assert.That(list.NpsThreshold, Is.Zero);
        Assert.That(list.Items.Select(i => i.AccountId), Is.EquivalentTo(expected.Keys));
        Assert.That(list.Items.Select(i => i.Arr), Is.Ordered.Descending);
        foreach (var item in list.Items)
        {
            var rows = expected[item.AccountId];
            var counts = Expected.Count(rows, from, to, _ => true);
            var account = rows[0].Showing.User.Account;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(item.AccountName, Is.EqualTo(account.AccountName));
                Assert.That(item.Arr, Is.EqualTo(account.Arr));
                Assert.That(item.Respondents, Is.EqualTo(rows.Select(r => r.Showing.User.UserId).Distinct().Count()));
                Assert.That(item.Responses, Is.EqualTo(rows.Count));
                Assert.That(item.Nps, Is.EqualTo(counts.Nps));
                Assert.That(item.MarginOfError, Is.EqualTo(counts.MarginOfError));
                Assert.That(item.Quadrant, Is.EqualTo((account.Arr >= median, counts.Nps >= 0) switch
                {
                    (true, true) => "champion",
                    (true, false) => "at_risk",
                    (false, true) => "grow",
                    _ => "monitor",
                }));
            }
        }
    }

    [Test]
    public async Task Accounts_AtRiskFilterAndThresholds_FindTheBigUnhappyAccounts()
    {
        const string range = "from=2026-01-01&to=2026-02-28";
        var all = await (await _http.GetAsync($"/v1/accounts?{range}&limit=1000")).ReadJson<AccountList>();
        // A threshold that some big accounts miss, whatever the generated scores are.
        var threshold = all.Items.Where(i => i.Arr >= 50000).Max(i => i.Nps)!.Value;

        var list = await (await _http.GetAsync(
            $"/v1/accounts?{range}&arrThreshold=50000&npsThreshold={threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}&quadrant=at_risk&sort=nps"))
            .ReadJson<AccountList>();

        var expected = all.Items.Where(i => i.Arr >= 50000 && i.Nps < threshold).OrderBy(i => i.Nps).ThenBy(i => i.AccountId, StringComparer.Ordinal);
        Assert.That(list.Items.Select(i => i.AccountId), Is.EqualTo(expected.Select(i => i.AccountId)));
        Assert.That(list.Items, Is.Not.Empty);
        Assert.That(list.Items.Select(i => i.Quadrant), Is.All.EqualTo("at_risk"));
    }

    [Test]
    public async Task Accounts_WhereCsm_OnlyThatCsmsAccounts()
    {
        var list = await (await _http.GetAsync("/v1/accounts?from=2026-01-01&to=2026-02-28&where[csm]=Dana&sort=accountName")).ReadJson<AccountList>();

        var danas = _rows.Where(r => r.Showing.User.Account.Csm == "Dana" && r.ResponseId is not null && r.AnsweredAt < DataTo.ToUnixTimeMilliseconds())
            .Select(r => r.Showing.User.Account.AccountId).Distinct();
        Assert.That(list.Items.Select(i => i.AccountId), Is.EquivalentTo(danas));
        Assert.That(list.Items.Select(i => i.AccountName), Is.Ordered.Using((IComparer<string?>)StringComparer.OrdinalIgnoreCase));
    }

    [Test]
    public async Task SamePath_SecretKeyListAndPublicPost_Coexist()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/responses");
        preflight.Headers.Add("Origin", "https://somewhere.test");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var anonymous = _app.CreateClient();
        using var browser = _app.BrowserClient("https://somewhere.test");

        var allowed = await anonymous.SendAsync(preflight);
        var browserList = await browser.GetAsync("/v1/responses");
        var serverList = await _http.GetAsync("/v1/responses?limit=1");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allowed.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NoContent));
            Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "https://somewhere.test" }));
            Assert.That((int)browserList.StatusCode, Is.EqualTo(401));
            Assert.That(browserList.Headers.Contains("Access-Control-Allow-Origin"), Is.False, "the list is not offered to browsers");
            Assert.That((int)serverList.StatusCode, Is.EqualTo(200));
        }
    }

    [Test]
    public async Task List_WithCommentOnly_AndTheTotal_MatchADirectComputation()
    {
        var withComment = await All("&withComment=true", 200);
        var first = await (await _http.GetAsync("/v1/responses?limit=25")).ReadJson<ResponsePage>();
        var second = await (await _http.GetAsync($"/v1/responses?limit=25&cursor={first.NextCursor}")).ReadJson<ResponsePage>();
        var detractorsWithComment = await (await _http.GetAsync("/v1/responses?limit=10&category=detractor&withComment=true")).ReadJson<ResponsePage>();
        var small = await (await _http.GetAsync("/v1/responses?limit=200&category=detractor&where[csm]=Dana&withComment=false")).ReadJson<ResponsePage>();
        using var csv = CsvReader.Create(await _http.GetStreamAsync("/v1/responses.csv?withComment=true"), CsvReaderOptions.Default with { Separator = ',' });
        var csvRows = 0;
        while (csv.Read())
            csvRows++;
        var bad = await (await _http.GetAsync("/v1/responses?withComment=yes")).AssertProblem(400);

        static bool HasComment(Seeded r) => !string.IsNullOrEmpty(r.Showing.Comment);
        var answered = Answered;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(withComment.Select(i => i.Id), Is.EqualTo(answered.Where(HasComment).Select(r => r.ResponseId!.Value)));
            Assert.That(withComment.Count, Is.LessThan(answered.Count), "some answers have no comment");
            Assert.That(first.Total, Is.EqualTo(answered.Count), "the first page says how many match");
            Assert.That(second.Total, Is.Null, "later pages do not count again");
            Assert.That(detractorsWithComment.Total, Is.EqualTo(answered.Count(r => r.Category == "detractor" && HasComment(r))));
            Assert.That(small.Total, Is.EqualTo(small.Items.Count).And.EqualTo(answered.Count(r => r.Category == "detractor" && r.Showing.User.Account.Csm == "Dana")),
                "a single page counts its own rows");
            Assert.That(csvRows, Is.EqualTo(withComment.Count), "the export takes the filter too");
            Assert.That(bad.GetProperty("errors").GetProperty("withComment")[0].GetString(), Does.Contain("true or false"));
        }
    }

    [Test]
    public async Task Nps_GroupedByArrBands_EqualsADirectComputation()
    {
        var report = await (await _http.GetAsync("/v1/metrics/nps?from=2025-01-01&to=2027-01-01&groupBy=arr&bands=10000,50000")).ReadJson<NpsReport>();
        var answered = Answered;
        (double? From, double? To) Band(long arr) => arr < 10000 ? (null, 10000) : arr < 50000 ? (10000, 50000) : (50000, null);
        var expected = answered.GroupBy(r => Band(r.Showing.User.Account.Arr))
            .Select(g => (g.Key.From, g.Key.To, Responses: g.Count(),
                Promoters: g.Count(r => r.Category == "promoter"), Detractors: g.Count(r => r.Category == "detractor")))
            .OrderBy(b => b.From ?? double.MinValue).ToList();
        var groups = report.Groups!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(groups.Select(g => (g.BandFrom, g.BandTo)), Is.EqualTo(expected.Select(b => (b.From, b.To))), "bands in ascending order");
            Assert.That(groups.Select(g => g.Value), Is.EqualTo(expected.Select(b => TraitBands.Label(b.From, b.To))));
            Assert.That(groups.Select(g => g.Responses), Is.EqualTo(expected.Select(b => (long)b.Responses)));
            Assert.That(groups.Select(g => g.Promoters), Is.EqualTo(expected.Select(b => (long)b.Promoters)));
            Assert.That(groups.Select(g => g.Detractors), Is.EqualTo(expected.Select(b => (long)b.Detractors)));
            Assert.That(groups.Sum(g => g.Responses), Is.EqualTo(report.Responses), "every response is in one band");
            Assert.That(groups.Select(g => g.Value), Is.EquivalentTo(new[] { "<10000", "10000-50000", ">=50000" }.Where(l => expected.Any(b => TraitBands.Label(b.From, b.To) == l))));
        }
    }

    [TestCase("groupBy=arr&bands=abc", "numbers")]
    [TestCase("groupBy=arr&bands=1000,100", "ascending")]
    [TestCase("groupBy=arr&bands=1000,1000", "ascending")]
    [TestCase("bands=1000", "groupBy")]
    public async Task Nps_BadBands_Are400NamingThem(string query, string hint)
    {
        var problem = await (await _http.GetAsync("/v1/metrics/nps?" + query)).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("bands")[0].GetString(), Does.Contain(hint));
    }

    static double? Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? null : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }
}
