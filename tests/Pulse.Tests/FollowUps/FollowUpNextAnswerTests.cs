using System.Globalization;
using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Displays;
using Pulse.Api.FollowUps;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;
using Pulse.Tests.Analytics;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// The follow-up metrics read each detractor's next answer from <c>response_next</c> (decision FM1). On answers of two
/// NPS surveys (one of them deleted), an eNPS and a CSAT survey and a second workspace with the same user ids, written
/// out of time order: the stored next answers equal the search the endpoint made before (<see cref="NextSource.Search"/>)
/// and a LINQ computation over the raw rows, for one survey and for all, with and without displays; again after score
/// updates that change categories, a deletion in the middle of a user's answers, an erasure and later answers; the
/// maintained table equals its rebuild; the migration fills it on a database with data; and editing a stored row moves
/// the endpoint's answer (so the stored path is the one compared).
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class FollowUpNextAnswerTests(StorageProvider provider)
{
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;
    static readonly DateTimeOffset DataFrom = Now.AddDays(-40);

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    CreatedWorkspace _beta = null!;
    HttpClient _http = null!;
    string _nps = null!;
    string _deleted = null!;
    string _enps = null!;
    string _csat = null!;
    string _betaNps = null!;
    readonly List<(Display Display, string Kind)> _answered = [];
    readonly Random _random = new(1901);

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        _beta = _app.CreateWorkspace("Beta", ["https://app.beta.test"]);
        _http = _app.SecretClient(_acme.SecretKey);
        using (var betaHttp = _app.SecretClient(_beta.SecretKey))
        using (var c = _app.Db.Open())
        {
            _nps = TestData.SurveyId(c, null, _acme.WorkspaceId);
            _betaNps = TestData.SurveyId(c, null, _beta.WorkspaceId);
        }
        _deleted = await CreateSurvey("Second NPS", "nps");
        _enps = await CreateSurvey("Team eNPS", "enps");
        _csat = await CreateSurvey("Support CSAT", "csat");

        // 14 users, about 9 answers each over 40 days, written in a shuffled order (not the order of time), some at the same millisecond.
        var plan = new List<(string Workspace, string Survey, string Kind, string User, long At)>();
        for (var u = 0; u < 14; u++)
            for (var i = 0; i < 9; i++)
            {
                var (survey, kind) = (i % 4) switch { 0 => (_deleted, "nps"), 1 => (_enps, "enps"), 2 when u % 3 == 0 => (_csat, "csat"), _ => (_nps, "nps") };
                var at = DataFrom.AddMinutes(_random.Next(0, 40 * 24 * 60)).ToUnixTimeMilliseconds();
                plan.Add((_acme.WorkspaceId, survey, kind, $"u{u}", at));
                if (i == 4)
                    plan.Add((_acme.WorkspaceId, _nps, "nps", $"u{u}", at));
            }
        for (var u = 0; u < 5; u++)
            for (var i = 0; i < 4; i++)
                plan.Add((_beta.WorkspaceId, _betaNps, "nps", $"u{u}", DataFrom.AddMinutes(_random.Next(0, 40 * 24 * 60)).ToUnixTimeMilliseconds()));
        await AnswerAsync(plan.OrderBy(_ => _random.Next()).ToList());

        // Soft-deleted after its answers: it stays in reports, so in the set of a read without surveyId.
        (await _http.DeleteAsync($"/v1/surveys/{_deleted}")).EnsureSuccessStatusCode();
        // Some follow-ups touched, so both arms of the recovery have answers.
        await _app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
            c.Execute("UPDATE follow_ups SET first_touched_at = created_at + 3600000 * (response_id % 200) WHERE response_id % 3 <> 0", transaction: tx));
        _app.Time.SetUtcNow(Now);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    async Task<string> CreateSurvey(string name, string kind) =>
        (await (await _http.PostAsync("/v1/surveys", Json.Of(new { name, kind }))).ReadJson<JsonElement>(201)).GetProperty("id").GetString()!;

    /// <summary>A display and an answer for each planned row, with the hooks, at its time; scores at random in the kind's scale.</summary>
    async Task AnswerAsync(IReadOnlyList<(string Workspace, string Survey, string Kind, string User, long At)> plan)
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var displayHooks = _app.Services.GetRequiredService<DisplayHooks>();
        var responseHooks = _app.Services.GetRequiredService<ResponseHooks>();
        foreach (var chunk in plan.Chunk(50))
        {
            var scores = chunk.Select(p => p.Kind == "csat" ? _random.Next(1, 6) : _random.Next(0, 11)).ToList();
            _answered.AddRange(await writer.ExecuteAsync((c, tx) => chunk.Select((p, i) =>
            {
                var (display, _) = DisplayStore.Show(c, tx, displayHooks, p.Workspace, p.Survey,
                    new UserSighting(p.User, null, null, "{}", p.At - 1000), TimeSpan.FromDays(7), null, """{"plan":"premium"}""", "en", "https://app.acme.test/");
                var kind = QuestionKinds.Of(p.Kind);
                ResponseStore.Save(c, tx, display, new ResponseChange(scores[i], false, null, false, null, kind.CategoryOf(scores[i])), p.At, responseHooks);
                return (display, p.Kind);
            }).ToList()));
        }
    }

    sealed record Row(long Id, string WorkspaceId, string SurveyId, string UserId, string Category, long CreatedAt, long? TouchedAt);

    sealed record SurveyRow(string Id, string WorkspaceId, string Kind);

    (List<Row> Rows, List<SurveyRow> Surveys) Raw()
    {
        using var c = _app.Db.Open();
        var rows = c.Query<Row>("""
            SELECT r.id AS Id, r.workspace_id AS WorkspaceId, r.survey_id AS SurveyId, r.user_id AS UserId, r.category AS Category,
                   r.created_at AS CreatedAt, f.first_touched_at AS TouchedAt
            FROM responses r LEFT JOIN follow_ups f ON f.response_id = r.id
            """).ToList();
        var surveys = c.Query<SurveyRow>("SELECT id AS Id, workspace_id AS WorkspaceId, kind AS Kind FROM surveys").ToList();
        return (rows, surveys);
    }

    /// <summary>The detractors of the range in <paramref name="surveys"/> with their next answer there, computed here from the raw rows.</summary>
    static List<string> Expected(List<Row> rows, string workspaceId, IReadOnlyCollection<string> surveys, long from, long to)
    {
        var read = rows.Where(r => r.WorkspaceId == workspaceId && surveys.Contains(r.SurveyId)).ToList();
        return read.Where(r => r.Category == "detractor" && r.CreatedAt >= from && r.CreatedAt < to)
            .Select(r =>
            {
                var next = read.Where(x => x.UserId == r.UserId && (x.CreatedAt > r.CreatedAt || (x.CreatedAt == r.CreatedAt && x.Id > r.Id)))
                    .OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).FirstOrDefault();
                return Fact(next?.CreatedAt, next?.Category, r.TouchedAt);
            })
            .Order(StringComparer.Ordinal).ToList();
    }

    static string Fact(long? nextAt, string? nextCategory, long? touchedAt) => $"{nextAt}|{nextCategory}|{touchedAt}";

    static List<string> Facts(IEnumerable<DetractorFact> facts) => facts.Select(f => Fact(f.NextAt, f.NextCategory, f.TouchedAt)).Order(StringComparer.Ordinal).ToList();

    static object Parameters(string workspaceId, IReadOnlyList<string> surveys, long from, long to) => new
    {
        WorkspaceId = workspaceId,
        SurveyIds = surveys,
        From = from,
        To = to,
        Filters = "{}",
        ByAssignee = false,
        GroupPath = (string?)null,
    };

    static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>For each read (one survey or all, two ranges): stored = search = LINQ, with and without displays, and the endpoint's recovery = LINQ's.</summary>
    async Task AssertEveryPathAgrees(string when)
    {
        var (rows, surveys) = Raw();
        var store = _app.Services.GetRequiredService<SurveyStore>();
        var ranges = new[] { (DataFrom.AddDays(-1).ToUnixTimeMilliseconds(), Now.ToUnixTimeMilliseconds()), (DataFrom.AddDays(12).ToUnixTimeMilliseconds(), DataFrom.AddDays(25).ToUnixTimeMilliseconds()) };
        var checkedFacts = 0;
        foreach (var (workspace, surveyId) in new (CreatedWorkspace, string?)[] { (_acme, null), (_acme, _nps), (_acme, _deleted), (_acme, _enps), (_acme, _csat), (_beta, null) })
        {
            var ids = store.Ids(workspace.WorkspaceId, surveyId, SurveyUse.Reports)!;
            // The set a read without surveyId names is the workspace's NPS surveys, deleted ones too: the kind scope.
            var expectedIds = surveyId is null ? surveys.Where(s => s.WorkspaceId == workspace.WorkspaceId && s.Kind == "nps").Select(s => s.Id).ToList() : [surveyId];
            Assert.That(ids, Is.EquivalentTo(expectedIds), when);
            var source = FollowUpMetrics.SourceFor(surveyId, ids);
            Assert.That(source, Is.EqualTo(surveyId is null ? NextSource.Kind : NextSource.Survey), when);
            foreach (var (from, to) in ranges)
            {
                var what = $"{when}: {workspace.WorkspaceId} {surveyId ?? "all"} {Iso(from)}–{Iso(to)}";
                var expected = Expected(rows, workspace.WorkspaceId, ids, from, to);
                using (var c = _app.Db.Open())
                    for (var displays = 0; displays < 2; displays++)
                    {
                        var p = Parameters(workspace.WorkspaceId, ids, from, to);
                        Assert.That(Facts(FollowUpMetrics.ReadDetractors(c, displays, NextSource.Search, p)), Is.EqualTo(expected), what + " search");
                        Assert.That(Facts(FollowUpMetrics.ReadDetractors(c, displays, source, p)), Is.EqualTo(expected), what + " stored");
                    }
                using (var c = _app.Db.Open())
                {
                    var p = Parameters(workspace.WorkspaceId, ids, from, to);
                    Assert.That(FollowUpMetrics.ReadRecovery(c, source, p), Is.EqualTo(RecoveryCounts.Of(expected.Select(ToFact))), what + " counted (FM2)");
                    static List<string> Opened(IEnumerable<FollowUpFact> facts) =>
                        facts.Select(f => $"{f.OpenedAt}|{f.TouchedAt}|{f.Status}|{f.Category}|{f.GroupValue}").Order(StringComparer.Ordinal).ToList();
                    var fromAnswers = Opened(c.Query<FollowUpFact>(c.Sql(FollowUpMetrics.SelectFollowUps[0]), p));
                    Assert.That(Opened(c.Query<FollowUpFact>(c.Sql(FollowUpMetrics.SelectFollowUpsFromFollowUps), p)), Is.EqualTo(fromAnswers).And.Not.Empty,
                        what + " follow-ups read from either side (FM2)");
                }
                checkedFacts += expected.Count(f => !f.StartsWith('|'));
                if (workspace != _acme)
                    continue;
                var url = $"/v1/metrics/follow-ups?from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}" + (surveyId is null ? "" : "&surveyId=" + surveyId);
                var report = await (await _http.GetAsync(url)).ReadJson<JsonElement>();
                var facts = expected.Select(ToFact).ToList();
                var recovery = FollowUpMath.Summarise([], facts, 24, Now.ToUnixTimeMilliseconds()).Recovery;
                Assert.That(Shares(report.GetProperty("recovery")), Is.EqualTo(new[] { recovery.FollowedUp, recovery.NotFollowedUp }.Select(s => (s.Count, s.Of))), what + " endpoint");
            }
        }
        Assert.That(checkedFacts, Is.GreaterThan(40), when + ": detractors who answered again");
    }

    static DetractorFact ToFact(string fact)
    {
        var f = fact.Split('|');
        return new DetractorFact
        {
            NextAt = f[0] == "" ? null : long.Parse(f[0], CultureInfo.InvariantCulture),
            NextCategory = f[1] == "" ? null : f[1],
            TouchedAt = f[2] == "" ? null : long.Parse(f[2], CultureInfo.InvariantCulture),
        };
    }

        static (long Count, long Of)[] Shares(JsonElement recovery) =>
        new[] { "followedUp", "notFollowedUp" }.Select(k => (recovery.GetProperty(k).GetProperty("count").GetInt64(), recovery.GetProperty(k).GetProperty("of").GetInt64())).ToArray();

    /// <summary>Every stored row, as text.</summary>
    const string Dump = """
        SELECT response_id || '|' || COALESCE(CAST(survey_next_at AS TEXT), '-') || '|' || COALESCE(survey_next_category, '-')
               || '|' || COALESCE(CAST(kind_next_at AS TEXT), '-') || '|' || COALESCE(kind_next_category, '-')
               || '|' || COALESCE(survey_id, '-') || '|' || COALESCE(CAST(created_at AS TEXT), '-') || '|' || COALESCE(category, '-')
        FROM response_next ORDER BY response_id
        """;

    [Test, Order(1)]
    public async Task AnswersWrittenOutOfOrder_StoredNextEqualsTheSearch_AndTheRawRows()
    {
        await AssertEveryPathAgrees("seeded");
        var (maintained, recomputed) = await Recomputation.Of(_app, Dump, NextAnswers.Rebuild);
        Assert.That(maintained, Has.Count.EqualTo(Raw().Rows.Count));
        Assert.That(maintained, Is.EqualTo(recomputed));
    }

    [Test, Order(2)]
    public async Task EditingAStoredNextAnswer_MovesTheEndpointsAnswer()
    {
        // A detractor of the NPS survey whose next answer there is a detractor: calling it a promoter must recover one more.
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var (rows, _) = Raw();
        var target = rows.Where(r => r.SurveyId == _nps && r.Category == "detractor").First(r =>
            rows.Where(x => x.UserId == r.UserId && x.WorkspaceId == r.WorkspaceId && x.SurveyId == _nps && (x.CreatedAt, x.Id).CompareTo((r.CreatedAt, r.Id)) > 0)
                .OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).FirstOrDefault()?.Category == "detractor");
        var url = $"/v1/metrics/follow-ups?surveyId={_nps}&from={Uri.EscapeDataString(Iso(DataFrom.AddDays(-1).ToUnixTimeMilliseconds()))}";
        var before = Shares((await (await _http.GetAsync(url)).ReadJson<JsonElement>()).GetProperty("recovery"));
        const string edit = "UPDATE response_next SET survey_next_category = @Category WHERE response_id = @Id";
        Assert.That(await writer.ExecuteAsync((c, tx) => c.Execute(edit, new { Category = "promoter", target.Id }, tx)), Is.EqualTo(1));
        try
        {
            var after = Shares((await (await _http.GetAsync(url)).ReadJson<JsonElement>()).GetProperty("recovery"));
            Assert.That(after.Sum(s => s.Count), Is.EqualTo(before.Sum(s => s.Count) + 1), "one more recovered detractor");
            Assert.That(after.Sum(s => s.Of), Is.EqualTo(before.Sum(s => s.Of)));
        }
        finally
        {
            await writer.ExecuteAsync((c, tx) => c.Execute(edit, new { Category = "detractor", target.Id }, tx));
        }
    }

    [Test, Order(3)]
    public async Task AfterUpdates_ADeletion_AnErasure_AndLaterAnswers_StoredNextStillEqualsTheSearch_AndItsRebuild()
    {
        var writer = _app.Services.GetRequiredService<WriteQueue>();
        var hooks = _app.Services.GetRequiredService<ResponseHooks>();
        var acme = _answered.Where(a => a.Display.WorkspaceId == _acme.WorkspaceId).ToList();

        // Scores that change category (detractors become promoters and back, passives detractors), in every survey.
        var changed = await writer.ExecuteAsync((c, tx) =>
        {
            var n = 0;
            foreach (var (display, kind) in acme.Where((_, i) => i % 5 == 0))
            {
                var current = ResponseStore.ScoreOf(c, tx, display.Id)!.Value;
                var score = kind == "csat" ? (current <= 2 ? 5 : 1) : current <= 6 ? 10 : current >= 9 ? 0 : 3;
                var saved = ResponseStore.Save(c, tx, display, new ResponseChange(score, false, null, false, null, QuestionKinds.Of(kind).CategoryOf(score)),
                    Now.ToUnixTimeMilliseconds(), hooks)!;
                n += saved.Response.PreviousCategory != saved.Response.Category ? 1 : 0;
            }
            return n;
        });
        Assert.That(changed, Is.GreaterThan(10), "updates that change the category");
        await AssertEveryPathAgrees("after updates");

        // One answer taken out of the middle of a user's answers (the hook, then the row): its predecessors take its next.
        var (rows, _) = Raw();
        var middle = rows.Where(r => r.WorkspaceId == _acme.WorkspaceId && r.UserId == "u4" && r.SurveyId == _nps).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();
        Assert.That(middle, Has.Count.GreaterThan(2));
        var gone = middle[middle.Count / 2];
        var nextHook = _app.Services.GetRequiredService<NextAnswerHook>();
        await writer.ExecuteAsync((c, tx) =>
        {
            var display = _answered.Single(a => a.Display.Id == c.ExecuteScalar<long>("SELECT display_id FROM responses WHERE id = @Id", new { gone.Id }, tx)).Display;
            var stored = ResponseStore.OfUser(c, tx, _acme.WorkspaceId, "u4").Single(r => r.Id == gone.Id);
            nextHook.ResponseDeleted(c, tx, stored.ToWritten(display.ToWritten()));
            return c.Execute("DELETE FROM responses WHERE id = @Id", new { gone.Id }, tx);
        });
        await AssertEveryPathAgrees("after a deletion");

        // The erasure of a user with answers in every survey, and of one in the other workspace (same id, other answers stay).
        var privacy = _app.Services.GetRequiredService<PrivacyHooks>();
        Assert.That(await writer.ExecuteAsync((c, tx) => PrivacyStore.Erase(c, tx, _acme.WorkspaceId, "u0", privacy)), Is.True);
        Assert.That(await writer.ExecuteAsync((c, tx) => PrivacyStore.Erase(c, tx, _beta.WorkspaceId, "u1", privacy)), Is.True);
        await AssertEveryPathAgrees("after erasures");

        // Later answers, some of them earlier than answers already stored (a time taken before the write queue).
        var later = new List<(string Workspace, string Survey, string Kind, string User, long At)>();
        for (var u = 1; u < 8; u++)
        {
            later.Add((_acme.WorkspaceId, _nps, "nps", $"u{u}", DataFrom.AddDays(u * 4).AddMinutes(7).ToUnixTimeMilliseconds()));
            later.Add((_acme.WorkspaceId, _enps, "enps", $"u{u}", DataFrom.AddDays(u * 3).ToUnixTimeMilliseconds()));
            later.Add((_acme.WorkspaceId, _nps, "nps", $"u{u}", Now.AddMinutes(-u).ToUnixTimeMilliseconds()));
        }
        await AnswerAsync(later);
        await AssertEveryPathAgrees("after later answers");

        var (maintained, recomputed) = await Recomputation.Of(_app, Dump, NextAnswers.Rebuild);
        Assert.That(maintained, Has.Count.EqualTo(Raw().Rows.Count));
        Assert.That(maintained, Is.EqualTo(recomputed));
    }

    [Test]
    public void Migration_OnADatabaseWithData_FillsTheNextAnswers()
    {
        using var dir = new TempDirectory();
        using var pg = provider == StorageProvider.Postgres ? Postgres.CreateDatabase() : null;
        var db = pg is null ? new Db($"Data Source={dir.File("old.db")}", dir.Path) : new Db(pg.ConnectionString, dir.Path, provider: StorageProvider.Postgres);
        using var c = db.Open();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        Migrator.Apply(c, time, upTo: 230);
        c.Execute("""
            INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, created_at, updated_at) VALUES ('ws_1', 'A', 'A', 'pk_1', 'ids', 1, 1);
            INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, created_at, updated_at) VALUES ('ws_2', 'B', 'B', 'pk_2', 'ids', 1, 1);
            INSERT INTO surveys (id, workspace_id, name, kind, created_at, updated_at) VALUES ('srv_1', 'ws_1', 'NPS', 'nps', 1, 1);
            INSERT INTO surveys (id, workspace_id, name, kind, created_at, updated_at) VALUES ('srv_2', 'ws_1', 'NPS 2', 'nps', 2, 2);
            INSERT INTO surveys (id, workspace_id, name, kind, created_at, updated_at) VALUES ('srv_3', 'ws_1', 'eNPS', 'enps', 3, 3);
            INSERT INTO surveys (id, workspace_id, name, kind, created_at, updated_at) VALUES ('srv_4', 'ws_2', 'NPS', 'nps', 4, 4);
            """);
        // (id, workspace, survey, user, score, created_at): ids not in the order of time, two answers at the same millisecond.
        var answers = new (long Id, string Workspace, string Survey, string User, int Score, long At)[]
        {
            (1, "ws_1", "srv_1", "u1", 2, 5000), (2, "ws_1", "srv_2", "u1", 9, 3000), (3, "ws_1", "srv_1", "u1", 8, 9000),
            (4, "ws_1", "srv_3", "u1", 10, 4000), (5, "ws_1", "srv_2", "u1", 0, 5000), (6, "ws_1", "srv_1", "u1", 4, 1000),
            (7, "ws_1", "srv_1", "u2", 3, 2000), (8, "ws_1", "srv_3", "u2", 1, 2500), (9, "ws_2", "srv_4", "u1", 6, 4500),
            (10, "ws_1", "srv_2", "u2", 7, 1500),
        };
        foreach (var user in answers.Select(a => (a.Workspace, a.User)).Distinct())
            c.Execute("INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at) VALUES (@Workspace, @User, 1, 1)", new { user.Workspace, user.User });
        foreach (var a in answers)
        {
            c.Execute("""
                INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, traits)
                VALUES (@Id, @Workspace, @Survey, @User, @Token, @At, @At, '{}')
                """, new { a.Id, a.Workspace, a.Survey, a.User, Token = BitConverter.GetBytes(a.Id), a.At });
            c.Execute("""
                INSERT INTO responses (id, display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
                VALUES (@Id, @Id, @Workspace, @Survey, @User, @Score, @Category, @At, @At)
                """, new { a.Id, a.Workspace, a.Survey, a.User, a.Score, Category = NpsCategory.Of(a.Score), a.At });
        }

        Migrator.Apply(c, time);

        var stored = c.Query<string>(Dump).ToList();
        var kinds = new Dictionary<string, string> { ["srv_1"] = "nps", ["srv_2"] = "nps", ["srv_3"] = "enps", ["srv_4"] = "nps" };
        string NextOf((long Id, string Workspace, string Survey, string User, int Score, long At) a, Func<(long Id, string Workspace, string Survey, string User, int Score, long At), bool> scope)
        {
            var next = answers.Where(x => x.Workspace == a.Workspace && x.User == a.User && scope(x) && (x.At, x.Id).CompareTo((a.At, a.Id)) > 0)
                .OrderBy(x => x.At).ThenBy(x => x.Id).Select(x => $"{x.At}|{NpsCategory.Of(x.Score)}").FirstOrDefault();
            return next ?? "-|-";
        }
        var expected = answers.OrderBy(a => a.Id)
            .Select(a => $"{a.Id}|{NextOf(a, x => x.Survey == a.Survey)}|{NextOf(a, x => kinds[x.Survey] == kinds[a.Survey])}|{a.Survey}|{a.At}|{NpsCategory.Of(a.Score)}").ToList();
        Assert.That(stored, Is.EqualTo(expected));
        Assert.That(stored[0], Is.EqualTo("1|9000|passive|5000|detractor|srv_1|5000|detractor"),
            "u1's answer 1 at 5000: next in srv_1 is 3 (9000); among NPS surveys 5 (5000, a larger id); its own survey, time and category (0250)");
    }
}
