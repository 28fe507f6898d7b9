using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pulse.Api.Access;
using Pulse.Api.Cli;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Analytics;
using Pulse.Tests.Fakers;
using Pulse.Tests.Links;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Foundation;

/// <summary>
/// <c>migrate-data</c> (docs/decisions.md MG1–MG5) on a real PostgreSQL server: an installation seeded through
/// the API on SQLite, copied, then served by Pulse on PostgreSQL with the same answers; running it again.
/// </summary>
[Category(TestCategories.Process)]
public sealed class DataMigrationTests
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset From = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset To = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    static (int Code, string Out, string Err) Migrate(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PulseCli.Run(["migrate-data", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    sealed record Seeded(CreatedWorkspace Acme, CreatedWorkspace Globex, string CsatSurveyId, long LastResponseId);

    /// <summary>Two workspaces with members, an invitation, a webhook, NPS answers with comments and traits, follow-ups with a note, tags, a link, CSAT answers.</summary>
    static async Task<Seeded> SeedAsync(PulseFactory app)
    {
        _ = app.Server;
        var acme = app.CreateWorkspace("Acme", [Origin]);
        app.AddMember(acme.WorkspaceId, "owner@acme.test", Roles.Owner);
        using var owner = await app.MemberClient("owner@acme.test");
        (await owner.PostAsync("/v1/members", Json.Of(new { email = "analyst@acme.test", role = "analyst" }))).EnsureSuccessStatusCode();
        using var server = app.SecretClient(acme.SecretKey);
        (await server.PostAsync("/v1/webhooks", Json.Of(new { url = "https://127.0.0.1:9/hook", events = new[] { "response.created" } })))
            .EnsureSuccessStatusCode();
        var accounts = NpsFakers.Accounts(701).Generate(8);
        var users = NpsFakers.Users(702, accounts).Generate(50);
        await ApiSeed.AddAsync(app, acme, Origin, NpsFakers.Showings(703, users, From, To).Generate(120));

        var followUps = await (await server.GetAsync("/v1/follow-ups")).ReadJson<JsonElement>();
        var followUp = followUps.GetProperty("items")[0];
        (await server.PostAsync($"/v1/follow-ups/{followUp.GetProperty("id").GetString()}/notes", Json.Of(new { text = "Called them; fixed." })))
            .EnsureSuccessStatusCode();
        (await server.PostAsync("/v1/tags", Json.Of(new { name = "pricing" }))).EnsureSuccessStatusCode();
        (await server.PostAsync("/v1/responses/tags", Json.Of(new { responseIds = new[] { followUp.GetProperty("response").GetProperty("id").GetInt64() }, add = new[] { "pricing" } })))
            .EnsureSuccessStatusCode();
        await server.CreateLink(new { user = User("link-user", app.Time.GetUtcNow(), email: "link@acme.test"), channel = "link" });

        var globex = app.CreateWorkspace("Globex", [Origin]);
        using var globexServer = app.SecretClient(globex.SecretKey);
        var first = DefaultSurveyId(app.Db, globex.WorkspaceId);
        (await globexServer.PutAsync($"/v1/surveys/{first}", Json.Body("""{ "active": false }"""))).EnsureSuccessStatusCode();
        var csat = await (await globexServer.PostAsync("/v1/surveys", Json.Body("""{ "name": "Support CSAT", "kind": "csat" }"""))).ReadJson<JsonElement>(201);
        using var browser = app.BrowserClient(Origin);
        for (var i = 0; i < 6; i++)
        {
            var shown = await globexServer.CheckUser(User($"g{i}", app.Time.GetUtcNow(), new { plan = i % 2 == 0 ? "pro" : "free" }));
            Assert.That(shown.Eligible, Is.True, shown.Reason);
            (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 1 + (i % 5), comment = $"csat {i}" })))
                .EnsureSuccessStatusCode();
        }
        using var c = app.Db.Open();
        return new Seeded(acme, globex, csat.GetProperty("id").GetString()!, c.ExecuteScalar<long>("SELECT MAX(id) FROM responses"));
    }

    /// <summary>The answers both instances must give alike: metrics, response lists, follow-ups, surveys, tags.</summary>
    static async Task<List<(string Path, string Body)>> Answers(PulseFactory app, Seeded seeded)
    {
        var range = $"from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}";
        var result = new List<(string, string)>();
        foreach (var (key, paths) in new[]
        {
            (seeded.Acme.SecretKey, new[]
            {
                $"/v1/metrics/nps?{range}", $"/v1/metrics/nps?{range}&interval=month&groupBy=plan", $"/v1/responses?limit=200",
                "/v1/follow-ups", "/v1/surveys", "/v1/tags", $"/v1/accounts?{range}", $"/v1/responses.csv?{range}",
            }),
            (seeded.Globex.SecretKey, new[] { $"/v1/metrics/csat?surveyId={seeded.CsatSurveyId}", "/v1/responses" }),
        })
        {
            using var http = app.SecretClient(key);
            foreach (var path in paths)
            {
                var response = await http.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.That((int)response.StatusCode, Is.EqualTo(200), $"{app.Provider} {path}: {body}");
                result.Add((path, body));
            }
        }
        return result;
    }

    [Test]
    public async Task MigrateData_CopiesAnInstallation_AndPulseOnPostgresAnswersAsOnSqlite_AndRunningAgainIsSafe()
    {
        using var directory = new TempDirectory();
        var path = directory.File("pulse.db");
        Seeded seeded;
        DateTimeOffset now;
        using (var sqlite = new PulseFactory(databasePath: path))
        {
            seeded = await SeedAsync(sqlite);
            now = sqlite.Time.GetUtcNow();
        }
        using var postgres = new PulseFactory(provider: StorageProvider.Postgres, time: new FakeTimeProvider(now));

        var (code, output, progress) = Migrate("--from", path, "--to", postgres.ConnectionString, "--batch-size", "50");

        Assert.That(code, Is.Zero, progress + output);
        using var again = new PulseFactory(databasePath: path, time: new FakeTimeProvider(now));
        var expected = await Answers(again, seeded);
        var actual = await Answers(postgres, seeded);
        using var s = again.Db.Open();
        using var p = postgres.Db.Open();
        var plan = DataMigration.Plan((SqliteConnection)s);
        var counts = plan.Copied.Select(t => (t.Name, Sqlite: s.ExecuteScalar<long>($"SELECT COUNT(*) FROM {t.Name}"), Postgres: p.ExecuteScalar<long>($"SELECT COUNT(*) FROM {t.Name}"))).ToList();
        var postgresTables = p.Query<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").ToList();
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < expected.Count; i++)
                Assert.That(actual[i].Body, Is.EqualTo(expected[i].Body), expected[i].Path);
            Assert.That(counts.Where(c => c.Sqlite != c.Postgres), Is.Empty, "rows per table");
            foreach (var table in new[] { "workspaces", "secret_keys", "members", "workspace_members", "invitations", "sessions", "surveys", "end_users",
                         "displays", "responses", "follow_ups", "follow_up_notes", "tags", "response_tags", "webhooks", "webhook_events",
                         "webhook_deliveries", "survey_links", "audit_log", "nps_daily", "nps_hourly" })
                Assert.That(counts.Single(c => c.Name == table).Sqlite, Is.Positive, $"the seed fills {table}");
            Assert.That(postgresTables.Where(t => plan.Copied.All(c => c.Name != t) && !plan.Skipped.ContainsKey(t)), Is.Empty,
                "every PostgreSQL table is copied or excluded with a reason");
            Assert.That(progress, Does.Contain("responses: 50 of ").And.Contain("webhooks: 1 of 1 rows"), "progress in batches on stderr");
            Assert.That(output, Does.Contain(seeded.CsatSurveyId).And.Contain("NPS "), "answers and NPS per survey, verified");
        }

        // Ids continue after SQLite's last one: the next answer on PostgreSQL gets a new id.
        using var server = postgres.SecretClient(seeded.Globex.SecretKey);
        var shown = await server.CheckUser(User("after-move", now));
        Assert.That(shown.Eligible, Is.True, shown.Reason);
        using var browser = postgres.BrowserClient(Origin);
        var saved = await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 5 }))).ReadJson<JsonElement>(201);
        Assert.That(saved.GetProperty("id").GetInt64(), Is.GreaterThan(seeded.LastResponseId));

        // Again: refused, nothing changed; with --replace: the target is the SQLite copy again (the answer above is gone).
        var refused = Migrate("--from", path, "--to", postgres.ConnectionString);
        var responsesAfterRefusal = p.ExecuteScalar<long>("SELECT COUNT(*) FROM responses");
        var replaced = Migrate("--from", path, "--to", postgres.ConnectionString, "--replace");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Code, Is.EqualTo(1));
            Assert.That(refused.Err, Does.Contain("already holds data").And.Contain("--replace"));
            Assert.That(responsesAfterRefusal, Is.EqualTo(counts.Single(c => c.Name == "responses").Sqlite + 1));
            Assert.That(replaced.Code, Is.Zero, replaced.Err);
            Assert.That(p.ExecuteScalar<long>("SELECT COUNT(*) FROM responses"), Is.EqualTo(counts.Single(c => c.Name == "responses").Sqlite));
        }
    }

    [Test]
    public async Task MigrateData_ThatFailsMidway_LeavesTheTargetAsItWas()
    {
        using var directory = new TempDirectory();
        var path = directory.File("pulse.db");
        using (var sqlite = new PulseFactory(databasePath: path))
        {
            _ = sqlite.Server;
            var acme = sqlite.CreateWorkspace("Acme", [Origin]);
            await ApiSeed.AddAsync(sqlite, acme, Origin, NpsFakers.Showings(711, NpsFakers.Users(712, NpsFakers.Accounts(713).Generate(2)).Generate(10), From, To).Generate(20));
            // A value PostgreSQL's text cannot hold, in the last table copied: the copy stops there.
            using var c = sqlite.Db.Open();
            c.Execute("UPDATE responses SET comment = 'a' || char(0) || 'b' WHERE id = (SELECT MAX(id) FROM responses)");
        }
        using var database = Postgres.CreateDatabase();

        var (code, _, err) = Migrate("--from", path, "--to", database.ConnectionString);

        using var p = new NpgsqlConnection(database.ConnectionString);
        p.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("responses.comment").And.Contain("nothing was copied"));
            Assert.That(p.ExecuteScalar<long>("SELECT COUNT(*) FROM workspaces"), Is.Zero, "the tables copied before it were rolled back");
            Assert.That(p.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(Migrator.All.Count), "the schema stays migrated");
        }
        NpgsqlConnection.ClearAllPools();
    }
}

/// <summary><c>migrate-data</c>'s arguments and plan, without a PostgreSQL server.</summary>
public sealed class DataMigrationPlanTests
{
    static (int Code, string Out, string Err) Migrate(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PulseCli.Run(["migrate-data", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void Plan_CopiesEveryTableOfTheSchema_OrExcludesItWithAReason_ParentsFirst()
    {
        using var directory = new TempDirectory();
        var db = new Db($"Data Source={directory.File("pulse.db")}", directory.Path);
        using var c = db.Open();
        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));

        var plan = DataMigration.Plan((SqliteConnection)c);

        var tables = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Order(StringComparer.Ordinal).ToList();
        var order = plan.Copied.Select(t => t.Name).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(order.Concat(plan.Skipped.Keys).Order(StringComparer.Ordinal), Is.EqualTo(tables), "each table copied or skipped, once");
            Assert.That(DataMigration.Excluded.Keys, Is.SubsetOf(tables), "no exclusion names a table that is gone");
            Assert.That(plan.Skipped.Values, Has.All.Not.Empty, "every exclusion says why");
            Assert.That(plan.Skipped.Keys, Has.Member("comment_search").And.Member("comment_search_data"));
            foreach (var table in order)
                foreach (var parent in c.Query<string>("SELECT \"table\" FROM pragma_foreign_key_list(@table)", new { table }))
                    Assert.That(order.IndexOf(parent), Is.LessThanOrEqualTo(order.IndexOf(table)), $"{parent} before {table}");
            Assert.That(order, Does.Contain("responses").And.Contain("audit_log").And.Contain("email_outbox").And.Contain("nps_pair_daily"));
        }
    }

    [TestCase("not a connection string", 2, "--to is not an Npgsql connection string")]
    [TestCase("postgres://pulse:hunter2@127.0.0.1/pulse", 2, "postgres:// URLs are not accepted")]
    [TestCase("Database=pulse;Password=hunter2", 2, "--to names no Host")]
    public void MigrateData_WithABadConnectionString_IsAUsageError_NamingIt_WithoutThePassword(string to, int exit, string message)
    {
        using var directory = new TempDirectory();
        var (code, _, err) = Migrate("--from", directory.File("pulse.db"), "--to", to);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exit));
            Assert.That(err, Does.Contain(message).And.Contain("Usage"));
            Assert.That(err, Does.Not.Contain("hunter2"));
            Assert.That(File.Exists(directory.File("pulse.db")), Is.False);
        }
    }

    [Test]
    public void MigrateData_ToAServerThatIsNotThere_FailsWithExit1_NamingWhere_WithoutThePassword()
    {
        using var directory = new TempDirectory();
        var db = new Db($"Data Source={directory.File("pulse.db")}", directory.Path);
        using (var c = db.Open())
            Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
        var port = ApiProcess.FreeLoopbackPort();

        var (code, output, err) = Migrate("--from", directory.File("pulse.db"), "--to", $"Host=127.0.0.1;Port={port};Database=pulse;Username=pulse;Password=hunter2;Timeout=5");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.StartWith($"error: Could not connect to PostgreSQL at postgres://127.0.0.1:{port}/pulse"));
            Assert.That(err + output, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void MigrateData_FromAMissingFile_FailsWithExit1_AndCreatesNothing()
    {
        using var directory = new TempDirectory();

        var (code, _, err) = Migrate("--from", directory.File("typo.db"), "--to", "Host=127.0.0.1;Database=pulse");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("There is no SQLite database at").And.Contain("typo.db"));
            Assert.That(File.Exists(directory.File("typo.db")), Is.False);
        }
    }
}
