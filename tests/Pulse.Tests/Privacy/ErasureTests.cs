using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Responses;
using Pulse.Tests.Support;

namespace Pulse.Tests.Privacy;

[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ErasureTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    readonly RecordingHook _hook = new();
    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    CreatedWorkspace _globex = null!;
    HttpClient _browser = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(services: s => s.AddWriteHook(_hook), provider: provider);
        // A real server: ids are matched against the raw request target, which only real servers keep.
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _globex = _app.CreateWorkspace("Globex", [Origin]);
        _browser = _app.BrowserClient(Origin);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    /// <summary>A user with an answered display (comment and follow-up), a declined one, an ignored one, and an opt-out.</summary>
    async Task<List<long>> CreateHistory(CreatedWorkspace ws, string userId, string email)
    {
        var traits = $$"""{"plan":"premium","accountId":"acct-{{userId}}","email":"{{email}}"}""";
        var answered = _app.CreateDisplay(ws.WorkspaceId, userId, email: email, traitsJson: traits);
        var declined = _app.CreateDisplay(ws.WorkspaceId, userId, email: email, traitsJson: traits);
        var ignored = _app.CreateDisplay(ws.WorkspaceId, userId, email: email, traitsJson: traits);
        (await _browser.PostAsync("/v1/responses", Json.Of(new
        {
            displayToken = answered.Token,
            score = 3,
            comment = $"Write to me at {email}, I am {userId}",
            followUp = new Dictionary<string, string> { ["who"] = userId },
        }))).EnsureSuccessStatusCode();
        (await _browser.PostAsync("/v1/declines", Json.Of(new { displayToken = declined.Token }))).EnsureSuccessStatusCode();
        using var server = _app.SecretClient(ws.SecretKey);
        (await server.PostAsync("/v1/opt-outs", Json.Of(new { userId }))).EnsureSuccessStatusCode();
        return [answered.Display.Id, declined.Display.Id, ignored.Display.Id];
    }

    /// <summary>
    /// Every row of every table whose text names <paramref name="needle"/>, found generically
    /// through the catalog (sqlite_master, PostgreSQL's information_schema), so tables added by later
    /// features are covered too.
    /// </summary>
    List<string> RowsNaming(System.Data.Common.DbConnection c, string needle)
    {
        var hits = new List<string>();
        var tables = c.Query<string>(provider == StorageProvider.Postgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").ToList();
        Assert.That(tables, Does.Contain("responses").And.Contain("displays").And.Contain("end_users"));
        foreach (var table in tables)
            foreach (var column in c.Query<string>(provider == StorageProvider.Postgres
                ? "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @Table"
                : "SELECT name FROM pragma_table_info(@Table)", new { Table = table }))
            {
                var count = c.ExecuteScalar<long>(
                    $"SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), @Needle) > 0", new { Needle = needle });
                if (count > 0)
                    hits.Add($"{table}.{column} ({count})");
            }
        return hits;
    }

    [Test]
    public async Task Erase_LeavesNoRowInAnyTableThatNamesTheUser()
    {
        var user = "erase-me-" + Guid.NewGuid().ToString("n")[..12];
        var email = user + "@mail.example";
        await CreateHistory(_acme, user, email);
        using (var c = _app.Db.Open())
            Assert.That(RowsNaming(c, user), Has.Count.GreaterThanOrEqualTo(5), "the history must name the user before erasure");
        using var server = _app.SecretClient(_acme.SecretKey);

        var response = await server.DeleteAsync($"/v1/users/{user}");

        using var after = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(204));
            Assert.That(RowsNaming(after, user), Is.Empty);
            Assert.That(RowsNaming(after, email), Is.Empty);
        }
    }

    [Test]
    public async Task Erase_LeavesNoBytesOfTheUserInTheDatabaseFile()
    {
        var user = "erase-bytes-" + Guid.NewGuid().ToString("n")[..12];
        var email = user + "@mail.example";
        await CreateHistory(_acme, user, email);
        using var server = _app.SecretClient(_acme.SecretKey);

        (await server.DeleteAsync($"/v1/users/{user}")).EnsureSuccessStatusCode();

        if (provider == StorageProvider.Postgres)
        {
            // No secure_delete there: the erasure's VACUUM must have removed the dead row versions (GA3).
            Assert.That(TuplesNaming(email), Is.Empty, "no heap tuple, live or dead, of any table or its TOAST holds the user");
            return;
        }
        // No manual checkpoint: the erasure itself must leave neither the file nor its WAL holding the user.
        var needle = System.Text.Encoding.UTF8.GetBytes(email);
        var file = await File.ReadAllBytesAsync(_app.DatabasePath);
        var wal = File.Exists(_app.DatabasePath + "-wal") ? await File.ReadAllBytesAsync(_app.DatabasePath + "-wal") : [];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.AsSpan().IndexOf(needle), Is.EqualTo(-1), "deleted content is overwritten (secure_delete), not left in free space");
            Assert.That(wal.AsSpan().IndexOf(needle), Is.EqualTo(-1), "old WAL frames with the user's data are checkpointed and truncated");
        }
    }

    /// <summary>
    /// PostgreSQL: the heap tuples, live or dead (not yet vacuumed), of every table of the schema and of its
    /// TOAST table whose bytes contain <paramref name="needle"/>, read page by page with pageinspect.
    /// </summary>
    List<string> TuplesNaming(string needle)
    {
        using var c = _app.Db.Open();
        c.Execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
        return c.Query<string>("""
            WITH tables AS (
                SELECT oid FROM pg_class WHERE relkind = 'r' AND relnamespace = to_regnamespace(current_schema())
                UNION ALL
                SELECT reltoastrelid FROM pg_class WHERE relkind = 'r' AND relnamespace = to_regnamespace(current_schema()) AND reltoastrelid <> 0
            )
            SELECT t.oid::regclass::text || ' block ' || b || ' item ' || i.lp
            FROM tables t
            CROSS JOIN LATERAL generate_series(0, (pg_relation_size(t.oid) / current_setting('block_size')::int)::int - 1) b
            CROSS JOIN LATERAL heap_page_items(get_raw_page(t.oid::regclass::text, b)) i
            WHERE position(convert_to(@Needle, 'UTF8') in i.t_data) > 0
            """, new { Needle = needle }).ToList();
    }

    [Test]
    public async Task Erase_Repeated_Is204_AndOnlyThatWorkspacesUserIsErased()
    {
        var user = "shared-" + Guid.NewGuid().ToString("n")[..8];
        var bystander = "bystander-" + Guid.NewGuid().ToString("n")[..8];
        await CreateHistory(_acme, user, "a@acme.example");
        await CreateHistory(_globex, user, "a@globex.example");
        await CreateHistory(_acme, bystander, "b@acme.example");
        using var acme = _app.SecretClient(_acme.SecretKey);

        var first = await acme.DeleteAsync($"/v1/users/{user}");
        var second = await acme.DeleteAsync($"/v1/users/{user}");
        var never = await acme.DeleteAsync("/v1/users/never-seen-anywhere");

        long Count(string table, CreatedWorkspace ws, string u) =>
            _app.Count($"{table} WHERE workspace_id = '{ws.WorkspaceId}' AND user_id = '{u}'");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { first, second, never }.Select(r => (int)r.StatusCode), Is.All.EqualTo(204));
            Assert.That(Count("end_users", _acme, user) + Count("displays", _acme, user) + Count("responses", _acme, user), Is.Zero);
            Assert.That(Count("end_users", _globex, user), Is.EqualTo(1));
            Assert.That(Count("displays", _globex, user), Is.EqualTo(3));
            Assert.That(Count("responses", _globex, user), Is.EqualTo(1));
            Assert.That(Count("displays", _acme, bystander), Is.EqualTo(3));
            Assert.That(Count("responses", _acme, bystander), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Erase_CallsTheHooksForEachRowBeforeUserErased()
    {
        var user = "hooked-" + Guid.NewGuid().ToString("n")[..8];
        var displays = await CreateHistory(_acme, user, "h@acme.example");
        using var acme = _app.SecretClient(_acme.SecretKey);

        (await acme.DeleteAsync($"/v1/users/{user}")).EnsureSuccessStatusCode();

        var events = _hook.Events.Where(e => e.Payload switch
        {
            ResponseWritten r => r.Display.UserId == user,
            DisplayWritten d => d.UserId == user,
            ValueTuple<string, string> erased => erased.Item2 == user,
            _ => false,
        }).Where(e => e.Event is "ResponseDeleted" or "DisplayDeleted" or "UserErased").ToList();
        var deletedResponse = events.Where(e => e.Event == "ResponseDeleted").Select(e => (ResponseWritten)e.Payload).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Where(e => e.Event == "DisplayDeleted").Select(e => ((DisplayWritten)e.Payload).DisplayId), Is.EquivalentTo(displays));
            Assert.That(deletedResponse.Display.DisplayId, Is.EqualTo(displays[0]));
            Assert.That(deletedResponse.Score, Is.EqualTo(3));
            Assert.That(deletedResponse.Category, Is.EqualTo("detractor"));
            Assert.That(events[^1].Event, Is.EqualTo("UserErased"));
            Assert.That(events[^1].Payload, Is.EqualTo((_acme.WorkspaceId, user)));
        }
    }

    [Test]
    public async Task Erase_WithoutASecretKey_Is401_AndErasesNothing()
    {
        var user = "kept-" + Guid.NewGuid().ToString("n")[..8];
        await CreateHistory(_acme, user, "k@acme.example");

        await (await _browser.DeleteAsync($"/v1/users/{user}")).AssertProblem(401);

        Assert.That(_app.Count($"displays WHERE user_id = '{user}'"), Is.EqualTo(3));
    }

    [TestCase("auth0|{0} ü@x")]
    [TestCase("org/{0}")]
    [TestCase("literal%2F{0}")]
    [TestCase("q?{0}#frag")]
    public async Task Erase_UserIdWithReservedCharacters_IsMatchedExactly(string pattern)
    {
        var user = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, Guid.NewGuid().ToString("n")[..8]);
        await CreateHistory(_acme, user, "r@acme.example");
        using var acme = _app.SecretClient(_acme.SecretKey);

        (await acme.DeleteAsync("/v1/users/" + Uri.EscapeDataString(user))).EnsureSuccessStatusCode();

        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM displays WHERE workspace_id = @W AND user_id = @U",
            new { W = _acme.WorkspaceId, U = user }), Is.Zero);
    }
}
