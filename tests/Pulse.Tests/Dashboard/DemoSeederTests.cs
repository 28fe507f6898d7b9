using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Dashboard;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>The seed command's writer: what it writes, through which code, and what running it twice does.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class DemoSeederTests(StorageProvider provider)
{
    PulseFactory _app = null!;

    [SetUp]
    public void SetUp() => _app = new PulseFactory(environment: "Development", provider: provider); // the demo workspace exists only there

    [TearDown]
    public void TearDown() => _app.Dispose();

    DemoSeeder Seeder => _app.Services.GetRequiredService<DemoSeeder>();

    /// <summary>Restricts a count to the NPS survey's rows (the demo also has a CSAT and a CES survey, <see cref="DemoKinds"/>).</summary>
    const string OfNps = " AND survey_id IN (SELECT id FROM surveys WHERE kind = 'nps')";

    long Count(string sql)
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>(sql, new { WorkspaceId = DemoWorkspace.Id });
    }

    [Test]
    public async Task Seed_CreatesTheDemoWorkspace_AndWritesExactlyTheStory()
    {
        var result = await Seeder.SeedAsync(new SeedOptions(Responses: 400));
        var story = DemoStory.Generate(400, _app.Time.GetUtcNow());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.AlreadySeeded, Is.False);
            Assert.That(result.Responses, Is.EqualTo(400));
            Assert.That(Count("SELECT COUNT(*) FROM responses WHERE workspace_id = @WorkspaceId" + OfNps), Is.EqualTo(400));
            Assert.That(Count("SELECT COUNT(*) FROM displays WHERE workspace_id = @WorkspaceId" + OfNps), Is.EqualTo(story.Displays.Count));
            Assert.That(Count("SELECT COUNT(*) FROM displays WHERE workspace_id = @WorkspaceId AND declined_at IS NOT NULL" + OfNps),
                Is.EqualTo(story.Displays.Count(d => d.Outcome == DemoOutcome.Declined)).And.EqualTo(result.Declines));
            Assert.That(Count("SELECT COUNT(*) FROM displays WHERE workspace_id = @WorkspaceId AND answered_at IS NOT NULL" + OfNps), Is.EqualTo(400));
            Assert.That(Count("SELECT COUNT(*) FROM end_users WHERE workspace_id = @WorkspaceId"), Is.EqualTo(story.Users.Count).And.EqualTo(result.Users));
            Assert.That(Count("SELECT COUNT(*) FROM responses WHERE workspace_id = @WorkspaceId AND comment IS NOT NULL"), Is.EqualTo(result.Comments));
            Assert.That(Count("SELECT COUNT(*) FROM responses r JOIN displays d ON d.id = r.display_id WHERE r.workspace_id = @WorkspaceId AND json_extract(d.traits, '$.accountName') IS NULL"),
                Is.Zero, "every display carries the trait snapshot");
        }
        using var http = _app.SecretClient(DemoWorkspace.SecretKey);
        Assert.That((await http.GetAsync("/v1/workspace")).IsSuccessStatusCode, Is.True, "the demo keys work");
    }

    [Test]
    public async Task Seed_AsksReasons_AndEveryAnswerAboutAThemeChoosesItsReason()
    {
        await Seeder.SeedAsync(new SeedOptions(Responses: 400));
        var story = DemoStory.Generate(400, _app.Time.GetUtcNow());
        var themed = story.Displays.Where(d => d.Outcome == DemoOutcome.Answered)
            .Count(d => DemoReasons.For(d.Theme, Pulse.Api.Responses.NpsCategory.Of(d.Score!.Value)) is not null);
        using var http = _app.SecretClient(DemoWorkspace.SecretKey);
        var surveys = await (await http.GetAsync("/v1/surveys")).ReadJson<System.Text.Json.JsonElement>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(themed, Is.Positive);
            Assert.That(Count("SELECT COUNT(*) FROM response_reasons"), Is.EqualTo(themed));
            Assert.That(surveys.GetProperty("items").EnumerateArray().Count(s => s.GetProperty("reasons").ValueKind == System.Text.Json.JsonValueKind.Object), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Seed_AsksCsatAndCes_OnTheirOwnEvents_WithTheAnswersTheStoryImplies()
    {
        await Seeder.SeedAsync(new SeedOptions(Responses: 600));
        var answered = DemoStory.Generate(600, _app.Time.GetUtcNow()).Displays.Where(d => d.Outcome == DemoOutcome.Answered).ToList();
        using var http = _app.SecretClient(DemoWorkspace.SecretKey);
        var surveys = (await (await http.GetAsync("/v1/surveys")).ReadJson<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        var year = $"from={_app.Time.GetUtcNow().AddDays(-400):yyyy-MM-dd}&to={_app.Time.GetUtcNow():yyyy-MM-dd}";
        var nps = await (await http.GetAsync($"/v1/metrics/nps?{year}")).ReadJson<JsonElement>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(nps.GetProperty("responses").GetInt64(), Is.EqualTo(600), "the NPS reports count the NPS survey only");
            foreach (var (name, kindName, trigger) in new[] { (DemoKinds.CsatName, "csat", "support_case_closed"), (DemoKinds.CesName, "ces", "report_exported") })
            {
                var kind = Pulse.Api.Surveys.QuestionKinds.Find(kindName)!;
                var survey = surveys.Single(s => s.GetProperty("name").GetString() == name);
                // Independently: which answers of the story also answered this kind, and with which scores.
                var scores = answered.Where(d => DemoKinds.Also(d.ShownAt) == kind).Select(d => DemoKinds.Score(kind, d.Score!.Value, d.ShownAt)).ToList();
                var report = await (await http.GetAsync($"/v1/metrics/{kindName}?{year}&surveyId={survey.GetProperty("id").GetString()}")).ReadJson<JsonElement>();
                var positive = scores.Count(score => kind.CategoryOf(score) == kind.Positive);
                Assert.That(survey.GetProperty("kind").GetString(), Is.EqualTo(kindName));
                Assert.That(survey.GetProperty("trigger").GetString(), Is.EqualTo(trigger), "asked on its own event: the page-view NPS survey stays the demo page's");
                Assert.That(scores, Has.Count.GreaterThan(60), "enough answers for a chart");
                Assert.That(kind.CategoryNames.Select(c => scores.Count(score => kind.CategoryOf(score) == c)), Has.All.Positive, "every category occurs");
                Assert.That(report.GetProperty("responses").GetInt64(), Is.EqualTo(scores.Count));
                Assert.That(report.GetProperty("percentPositive").GetDouble(), Is.EqualTo(Math.Round(100.0 * positive / scores.Count, 1, MidpointRounding.AwayFromZero)));
            }
        }
        var again = await Seeder.SeedAsync(new SeedOptions(Responses: 100, Reset: true));
        var kinds = (await (await http.GetAsync("/v1/surveys")).ReadJson<JsonElement>()).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("kind").GetString()).ToList();
        Assert.That(kinds, Is.EquivalentTo(new[] { "nps", "csat", "ces" }), $"a reset keeps one survey of each ({again.Responses} answers)");
    }

    [Test]
    public async Task Seed_Twice_WritesNothingTheSecondTime_ResetReplacesIt()
    {
        await Seeder.SeedAsync(new SeedOptions(Responses: 150));
        var again = await Seeder.SeedAsync(new SeedOptions(Responses: 150));
        var afterAgain = Count("SELECT COUNT(*) FROM responses WHERE workspace_id = @WorkspaceId" + OfNps);
        var reset = await Seeder.SeedAsync(new SeedOptions(Responses: 90, Reset: true));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.AlreadySeeded, Is.True);
            Assert.That(afterAgain, Is.EqualTo(150));
            Assert.That(reset.ErasedUsers, Is.GreaterThan(0));
            Assert.That(Count("SELECT COUNT(*) FROM responses WHERE workspace_id = @WorkspaceId" + OfNps), Is.EqualTo(90));
            Assert.That(Count("SELECT COUNT(*) FROM end_users WHERE workspace_id = @WorkspaceId"), Is.EqualTo(reset.Users));
        }
    }

    [Test]
    public async Task ScoreDistribution_EqualsTheStory_ForRangeAndTraitFilters()
    {
        await Seeder.SeedAsync(new SeedOptions(Responses: 600));
        var now = _app.Time.GetUtcNow();
        var answered = DemoStory.Generate(600, now).Displays.Where(d => d.Outcome == DemoOutcome.Answered).ToList();
        var from = now.AddDays(-120).UtcDateTime.Date;
        var to = now.AddDays(-10).UtcDateTime.Date;
        static long[] Histogram(IEnumerable<DemoDisplay> displays)
        {
            var counts = new long[11];
            foreach (var d in displays)
                counts[d.Score!.Value]++;
            return counts;
        }
        var inRange = answered.Where(d => d.At >= new DateTimeOffset(from).ToUnixTimeMilliseconds()
                                          && d.At < new DateTimeOffset(to.AddDays(1)).ToUnixTimeMilliseconds()).ToList();

        using var http = _app.SecretClient(DemoWorkspace.SecretKey);
        var year = $"from={now.AddDays(-400):yyyy-MM-dd}&to={now:yyyy-MM-dd}";
        var all = await (await http.GetAsync($"/v1/metrics/scores?{year}")).ReadJson<ScoreDistributionResponse>();
        var enterprise = await (await http.GetAsync($"/v1/metrics/scores?{year}&where%5Bplan%5D=enterprise")).ReadJson<ScoreDistributionResponse>();
        var lastDays = await (await http.GetAsync("/v1/metrics/scores")).ReadJson<ScoreDistributionResponse>();
        var ranged = await (await http.GetAsync($"/v1/metrics/scores?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&where%5Brole%5D=admin")).ReadJson<ScoreDistributionResponse>();
        var nothing = await (await http.GetAsync($"/v1/metrics/scores?{year}&where%5Bplan%5D=platinum")).ReadJson<ScoreDistributionResponse>();
        var nowMs = now.ToUnixTimeMilliseconds();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.Counts, Is.EqualTo(Histogram(answered)));
            Assert.That(all.Responses, Is.EqualTo(600));
            Assert.That(enterprise.Counts, Is.EqualTo(Histogram(answered.Where(d => d.User.Account.Plan == "enterprise"))));
            Assert.That(ranged.Counts, Is.EqualTo(Histogram(inRange.Where(d => d.User.Role == "admin"))));
            Assert.That(ranged.Responses, Is.GreaterThan(0));
            Assert.That(nothing.Counts, Is.EqualTo(new long[11]));
            Assert.That(lastDays.Counts, Is.EqualTo(Histogram(answered.Where(d => d.At >= nowMs - 90L * 86_400_000))),
                "without a range: the last 90 days, like GET /v1/metrics/nps");
        }
    }

    [Test]
    public async Task ScoreDistribution_BadParameters_AreProblems()
    {
        var other = _app.CreateWorkspace("Other");
        await Seeder.SeedAsync(new SeedOptions(Responses: 20));
        using var demo = _app.SecretClient(DemoWorkspace.SecretKey);
        using var stranger = _app.SecretClient(other.SecretKey);
        string otherSurvey;
        using (var c = _app.Db.Open())
            otherSurvey = c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @Id", new { Id = other.WorkspaceId })!;

        var badDate = await (await demo.GetAsync("/v1/metrics/scores?from=yesterday")).AssertProblem(400);
        await (await demo.GetAsync("/v1/metrics/scores?from=2026-02-01&to=2026-01-01")).AssertProblem(400);
        await (await demo.GetAsync("/v1/metrics/scores?filter%5Bplan%5D=free")).AssertProblem(400);
        await (await demo.GetAsync($"/v1/metrics/scores?surveyId={otherSurvey}")).AssertProblem(404);
        var strangers = await (await stranger.GetAsync("/v1/metrics/scores")).ReadJson<ScoreDistributionResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(badDate.GetProperty("detail").GetString(), Does.Contain("from"));
            Assert.That(strangers.Responses, Is.Zero, "another workspace's key sees none of the demo's answers");
        }
    }

    [Test]
    public async Task Seed_GivesTheFollowUpsAHistory_ClosedWithOutcomes_SomeOverdue_SomeUnassigned_AndTheCsmsSignIn()
    {
        await Seeder.SeedAsync(new SeedOptions(Responses: 1500));
        var now = _app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        long Open(string where) => Count($"SELECT COUNT(*) FROM follow_ups WHERE workspace_id = @WorkspaceId AND status <> 'closed' AND {where}");
        // Follow-ups open on each kind's negative category (docs/decisions.md, K5): NPS detractors and the CSAT and CES surveys' negative answers.
        var detractors = Count("SELECT COUNT(*) FROM responses WHERE workspace_id = @WorkspaceId AND category IN ('detractor', 'dissatisfied', 'difficult')");
        var followUps = Count("SELECT COUNT(*) FROM follow_ups WHERE workspace_id = @WorkspaceId");
        var closed = Count("SELECT COUNT(*) FROM follow_ups WHERE workspace_id = @WorkspaceId AND status = 'closed'");
        var outcomes = Count("SELECT COUNT(DISTINCT outcome) FROM follow_ups WHERE workspace_id = @WorkspaceId AND status = 'closed'");
        var overdue = Open($"due_at < {now}");
        var unassigned = Open("assignee_id IS NULL");
        var notes = Count("SELECT COUNT(*) FROM follow_up_notes n JOIN follow_ups f ON f.id = n.follow_up_id WHERE f.workspace_id = @WorkspaceId");
        var noteAudit = Count("SELECT COUNT(*) FROM audit_log WHERE workspace_id = @WorkspaceId AND action = 'follow_up.note_added'");
        var dana = DemoFollowUps.Csms[0];
        using var member = await _app.MemberClient(dana.Email, DemoWorkspace.Owner.Password);
        var mine = await (await member.GetAsync("/v1/follow-ups?assignee=me&limit=200")).ReadJson<JsonElement>();
        var assignees = mine.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("assignee").GetProperty("email").GetString()).Distinct().ToList();
        var csms = mine.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("response").GetProperty("traits").GetProperty("csm").GetString()).Distinct().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(followUps, Is.EqualTo(detractors), "every negative answer opened one, through the API's own hook");
            Assert.That(closed, Is.GreaterThan(followUps / 2), "most older ones are closed");
            Assert.That(outcomes, Is.EqualTo(3), "resolved, no_reply and churned all occur");
            Assert.That(overdue, Is.InRange(1, followUps / 4), "some are overdue, not most");
            Assert.That(unassigned, Is.GreaterThan(0), "Luis Ortega's recent ones wait unassigned");
            Assert.That(notes, Is.GreaterThan(closed), "touched ones have a note, closed ones two");
            Assert.That(noteAudit, Is.EqualTo(notes), "every note is on the record, as the API writes it");
            Assert.That(assignees, Is.EqualTo(new[] { dana.Email }));
            Assert.That(csms, Is.EqualTo(new[] { dana.Name }), "the assignment rules sent Dana her accounts");
        }
    }

    [Test]
    [Category(TestCategories.Process)]
    public async Task SeedCommand_RealProcess_SeedsTheDatabaseTheServerReads()
    {
        using var dir = new TempDirectory();
        var db = dir.File("seeded.db");
        var development = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" }; // the demo workspace exists only there
        var (code, output, error) = await ApiProcess.RunCliAsync(db, development, "seed", "--responses", "120", "--db", db);
        Assert.That(code, Is.Zero, output + error);
        var again = await ApiProcess.RunCliAsync(db, development, "seed", "--responses", "120", "--db", db);
        var bad = await ApiProcess.RunCliAsync(db, development, "seed", "--responses", "lots");

        using var api = await ApiProcess.StartAsync(db, development);
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", DemoWorkspace.SecretKey);
        var scores = await (await http.GetAsync("/v1/metrics/scores?from=2000-01-01")).ReadJson<ScoreDistributionResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output, Does.Contain("120 responses"));
            Assert.That(again.ExitCode, Is.Zero);
            Assert.That(again.StdOut, Does.Contain("already has demo data"));
            Assert.That(bad.ExitCode, Is.EqualTo(2));
            Assert.That(bad.StdErr, Does.Contain("--responses").And.Contain("Usage"));
            Assert.That(scores.Responses, Is.EqualTo(120));
        }
    }
}
