using System.Net;
using System.Text.Json;
using Pulse.Api.Analytics;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// Account health on <c>GET /v1/accounts</c>: answers written through the API over two 90-day
/// windows with a fake clock, follow-ups opened and closed by hand, and every part and score
/// computed here from the case table with the formula of docs/decisions.md F4-2 — not Pulse's code.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class AccountHealthTests(StorageProvider provider) : FollowUpFixture(provider)
{
    /// <summary>An account: its scores 103 days ago and 3 days ago, displays left unanswered, and which current answers get a follow-up.</summary>
    sealed record Case(string Id, int[] Previous, int[] Current, int Unanswered = 0, int[]? OverdueOpen = null, int[]? OverdueClosed = null);

    static readonly Case[] Cases =
    [
        new("acc-a", [10, 9, 7, 3], [10, 10, 10, 9, 8], Unanswered: 3),
        // Two overdue detractor follow-ups count; a closed one and an open one on a passive do not.
        new("acc-b", [9, 9, 9, 8], [2, 3, 8, 9, 1, 0], OverdueOpen: [0, 1, 2], OverdueClosed: [4]),
        new("acc-c", [], [0, 1]),
        new("acc-d", [], [9, 7, 7, 6, 10], Unanswered: 5),
        new("acc-e", [9, 10], []),
    ];

    static readonly DateTimeOffset Start = PulseFactory.DefaultNow.AddDays(-200);

    int _user;

    [SetUp]
    public async Task WriteTheHistory()
    {
        App.Time.AdjustTime(Start);
        // Follow-ups are opened by hand below, so that the test alone decides which are overdue.
        await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"openCategories":[]}"""))).ReadJson<FollowUpSettings>();
        foreach (var c in Cases)
            foreach (var score in c.Previous)
                await Answer(c.Id, score);
        App.Time.Advance(TimeSpan.FromDays(100));
        foreach (var c in Cases)
        {
            var ids = new List<long>();
            foreach (var score in c.Current)
                ids.Add(await Answer(c.Id, score));
            for (var i = 0; i < c.Unanswered; i++)
                App.CreateDisplay(Workspace.WorkspaceId, $"u{++_user}", traitsJson: Traits(c.Id));
            foreach (var i in (c.OverdueOpen ?? []).Concat(c.OverdueClosed ?? []))
            {
                var item = await (await Key.PostAsync("/v1/follow-ups", Json.Of(new { responseId = ids[i], dueAt = App.Time.GetUtcNow().AddDays(1) })))
                    .ReadJson<FollowUpItem>(201);
                if ((c.OverdueClosed ?? []).Contains(i))
                    await (await Key.PatchAsync($"/v1/follow-ups/{item.Id}", Json.Body("""{"status":"closed"}"""))).ReadJson<FollowUpItem>();
            }
        }
        App.Time.Advance(TimeSpan.FromDays(3));
    }

    static string Traits(string account) => JsonSerializer.Serialize(new { accountId = account });

    Task<long> Answer(string account, int score) => Answer($"u{++_user}", score, Traits(account));

    async Task<AccountList> Accounts(string query = "") =>
        await (await Key.GetAsync($"/v1/accounts?from={Start:yyyy-MM-dd}{query}")).ReadJson<AccountList>();

    /// <summary>The formula, written out here: weights 50/20/10/20, 25 points per overdue follow-up, bands 70 and 40, lowSample under 5 answers.</summary>
    static (double? Nps, double? Trend, double? Rate, long Overdue, int? Score, string? Band, bool LowSample) Expected(Case c,
        int healthyMin = 70, int minResponses = 5)
    {
        static double? Nps(int[] s) => s.Length == 0 ? null : Math.Round(100.0 * (s.Count(x => x >= 9) - s.Count(x => x <= 6)) / s.Length, 1);
        var nps = Nps(c.Current);
        var trend = nps is { } n && Nps(c.Previous) is { } p ? n - p : (double?)null;
        var displays = c.Current.Length + c.Unanswered;
        var rate = displays == 0 ? (double?)null : (double)c.Current.Length / displays;
        var overdue = (c.OverdueOpen ?? []).Count(i => c.Current[i] <= 6);
        var parts = new List<(double Weight, double Points)> { (20, Math.Max(0, 100 - 25 * overdue)) };
        if (nps is { } v)
            parts.Add((50, (v + 100) / 2));
        if (trend is { } t)
            parts.Add((20, Math.Min(100, Math.Max(0, 50 + t))));
        if (rate is { } r)
            parts.Add((10, Math.Round(r * 100, 1)));
        var lowSample = c.Current.Length < minResponses;
        if (nps is null)
            return (null, null, rate, overdue, null, null, lowSample);
        var score = (int)Math.Round(parts.Sum(x => x.Weight * x.Points) / parts.Sum(x => x.Weight), MidpointRounding.AwayFromZero);
        var band = score >= healthyMin ? "healthy" : score >= 40 ? "watch" : "at_risk";
        return (nps, trend, rate, overdue, score, lowSample && band == "at_risk" ? "watch" : band, lowSample);
    }

    [Test]
    public async Task EveryPartAndTheScore_AgreeWithTheFormulaComputedHere()
    {
        var items = (await Accounts()).Items.ToDictionary(i => i.AccountId);
        Assert.That(items.Keys, Is.EquivalentTo(Cases.Select(c => c.Id)));
        foreach (var c in Cases)
        {
            var want = Expected(c);
            var got = items[c.Id].Health;
            Assert.Multiple(() =>
            {
                Assert.That(got.Parts.Nps.Value, Is.EqualTo(want.Nps), c.Id + " nps");
                Assert.That(got.Parts.Trend.Value, Is.EqualTo(want.Trend).Within(1e-9), c.Id + " trend");
                Assert.That(got.Parts.ResponseRate.Value, Is.EqualTo(want.Rate).Within(0.0005), c.Id + " response rate");
                Assert.That(got.Parts.OverdueFollowUps.Value, Is.EqualTo(want.Overdue), c.Id + " overdue");
                Assert.That(got.Parts.Responses, Is.EqualTo(c.Current.Length), c.Id + " responses");
                Assert.That(got.Parts.PreviousResponses, Is.EqualTo(c.Previous.Length), c.Id + " previous responses");
                Assert.That(got.Score, Is.EqualTo(want.Score), c.Id + " score");
                Assert.That(got.Band, Is.EqualTo(want.Band), c.Id + " band");
                Assert.That(got.LowSample, Is.EqualTo(want.LowSample), c.Id + " lowSample");
            });
        }
        // The case table covers every band, the low-sample cap and an account without recent answers.
        Assert.That(Cases.Select(c => Expected(c).Band), Is.EquivalentTo(new[] { "healthy", "at_risk", "watch", "watch", null }));
        Assert.That(Expected(Cases[2]).Score, Is.LessThan(40), "acc-c scores as at_risk but has 2 answers: capped at watch");
    }

    [Test]
    public async Task HealthSortsAndFiltersByBand()
    {
        var byScore = Cases.Where(c => Expected(c).Score is not null).OrderBy(c => Expected(c).Score).Select(c => c.Id).ToList();
        Assert.That((await Accounts("&sort=health")).Items.Select(i => i.AccountId), Is.EqualTo(byScore.Append("acc-e")));
        Assert.That((await Accounts("&sort=-health")).Items.Select(i => i.AccountId), Is.EqualTo(byScore.AsEnumerable().Reverse().Append("acc-e")));
        foreach (var band in AccountHealthMath.Bands)
            Assert.That((await Accounts($"&band={band}")).Items.Select(i => i.AccountId),
                Is.EquivalentTo(Cases.Where(c => Expected(c).Band == band).Select(c => c.Id)), band);
        var bad = await Key.GetAsync("/v1/accounts?band=red");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("\"band\""));
    }

    [Test]
    public async Task TheWorkspaceSettingsChangeTheScore_AndAreAudited()
    {
        var saved = await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"accountHealth":{"healthyMin":95,"minResponses":1}}""")))
            .ReadJson<FollowUpSettings>();
        Assert.That(saved.AccountHealth, Is.EqualTo(new AccountHealthSettings(HealthyMin: 95, MinResponses: 1)));
        Assert.That((await (await Key.GetAsync("/v1/follow-ups/settings")).ReadJson<FollowUpSettings>()).AccountHealth, Is.EqualTo(saved.AccountHealth));
        var items = (await Accounts()).Items.ToDictionary(i => i.AccountId);
        foreach (var c in Cases)
            Assert.That(items[c.Id].Health.Band, Is.EqualTo(Expected(c, healthyMin: 95, minResponses: 1).Band), c.Id);
        Assert.That(items["acc-a"].Health.Band, Is.EqualTo("watch"), "91 is below the new healthy threshold");
        Assert.That(items["acc-c"].Health.Band, Is.EqualTo("at_risk"), "2 answers are enough with minResponses 1");
        Assert.That(App.Count("audit_log WHERE action = 'follow_up.settings_updated' AND after LIKE '%\"healthyMin\":95%'"), Is.EqualTo(1));
    }

    [TestCase("""{"accountHealth":{"npsWeight":0}}""", "accountHealth.npsWeight")]
    [TestCase("""{"accountHealth":{"trendWeight":101}}""", "accountHealth.trendWeight")]
    [TestCase("""{"accountHealth":{"overduePenalty":-1}}""", "accountHealth.overduePenalty")]
    [TestCase("""{"accountHealth":{"minResponses":0}}""", "accountHealth.minResponses")]
    [TestCase("""{"accountHealth":{"watchMin":70}}""", "accountHealth.watchMin")]
    [TestCase("""{"accountHealth":{"healthyMin":30}}""", "accountHealth.watchMin")]
    [TestCase("""{"slaHours":12,"accountHealth":{"healthyMin":0}}""", "accountHealth.healthyMin")]
    [TestCase("""{"accountHealth":{"weight":5}}""", "weight")]
    public async Task BadSettings_Are400NamingTheField_AndChangeNothing(string body, string field)
    {
        var before = await (await Key.GetAsync("/v1/follow-ups/settings")).Content.ReadAsStringAsync();
        var audited = App.Count("audit_log");
        var response = await Key.PutAsync("/v1/follow-ups/settings", Json.Body(body));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(field));
        Assert.That(await (await Key.GetAsync("/v1/follow-ups/settings")).Content.ReadAsStringAsync(), Is.EqualTo(before));
        Assert.That(App.Count("audit_log"), Is.EqualTo(audited));
    }

    [Test]
    public async Task AWorkspaceWithoutAnswers_ListsNoAccounts()
    {
        var other = App.CreateWorkspace("Empty");
        using var key = App.SecretClient(other.SecretKey);
        Assert.That((await (await key.GetAsync("/v1/accounts?sort=health")).ReadJson<AccountList>()).Items, Is.Empty);
    }

    [Test]
    public async Task AnotherWorkspace_WithTheSameAccountIds_SeesOnlyItsOwn()
    {
        var other = App.CreateWorkspace("Other");
        using var key = App.SecretClient(other.SecretKey);
        await (await key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"accountHealth":{"watchMin":10,"healthyMin":20}}"""))).ReadJson<FollowUpSettings>();
        var (_, token) = App.CreateDisplay(other.WorkspaceId, "o1", traitsJson: Traits("acc-b"));
        await (await Widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 10 }))).ReadJson<Pulse.Api.Responses.SavedResponse>(201);
        App.Time.Advance(TimeSpan.FromMinutes(1));

        var theirs = (await (await key.GetAsync($"/v1/accounts?from={Start:yyyy-MM-dd}")).ReadJson<AccountList>()).Items.Single();
        Assert.That(theirs.AccountId, Is.EqualTo("acc-b"));
        Assert.That(theirs.Health.Parts.Responses, Is.EqualTo(1));
        Assert.That(theirs.Health.Parts.Nps.Value, Is.EqualTo(100));
        Assert.That(theirs.Health.Parts.OverdueFollowUps.Value, Is.Zero, "Acme's overdue follow-ups on acc-b are not theirs");
        Assert.That(theirs.Health.Parts.PreviousResponses, Is.Zero);

        var ours = (await Accounts()).Items.Single(i => i.AccountId == "acc-b").Health;
        Assert.That(ours.Score, Is.EqualTo(Expected(Cases[1]).Score), "their answer and settings do not reach Acme");
        Assert.That(ours.Band, Is.EqualTo("at_risk"));
    }
}
