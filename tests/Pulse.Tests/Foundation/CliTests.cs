using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.Cli;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class CliTests
{
    TempDirectory _dir = null!;
    string _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = _dir.File("cli.db");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = PulseCli.Run(args, stdout, stderr, $"Data Source={_db}", _dir.Path);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task WorkspacesCreateJson_PrintsKeysThatWorkAgainstTheRunningApi()
    {
        var (code, output, _) = Run("workspaces", "create", "--name", "Acme", "--origin", "https://app.acme.com", "--json");
        Assert.That(code, Is.Zero);
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(output, Json.Options)!;

        using var app = new PulseFactory(databasePath: _db);
        using var http = app.SecretClient(created.SecretKey);
        var workspace = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.SiteKey, Does.StartWith("pk_"));
            Assert.That(created.SecretKey, Does.StartWith("sk_"));
            Assert.That(created.IdentitySecret, Is.Not.Empty);
            Assert.That(workspace!.Id, Is.EqualTo(created.WorkspaceId));
            Assert.That(workspace.SiteKey, Is.EqualTo(created.SiteKey));
            Assert.That(workspace.AllowedOrigins, Is.EqualTo(new[] { "https://app.acme.com" }));
        }
    }

    [Test]
    public async Task KeysCreateAndRevoke_TakeEffectOnTheApi()
    {
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "K", "--json").Out, Json.Options)!;
        var added = JsonDocument.Parse(Run("keys", "create", "--workspace", created.WorkspaceId, "--json").Out).RootElement;
        var newKey = added.GetProperty("secretKey").GetString()!;

        using var app = new PulseFactory(databasePath: _db);
        using (var http = app.SecretClient(newKey))
            Assert.That((await http.GetAsync("/v1/workspace")).IsSuccessStatusCode, Is.True);

        var (code, _, _) = Run("keys", "revoke", "--workspace", created.WorkspaceId, "--key", added.GetProperty("keyId").GetString()!);
        Assert.That(code, Is.Zero);
        using (var http = app.SecretClient(newKey))
            await (await http.GetAsync("/v1/workspace")).AssertProblem(401);
        using (var http = app.SecretClient(created.SecretKey))
            Assert.That((await http.GetAsync("/v1/workspace")).IsSuccessStatusCode, Is.True);
    }

    [Test]
    public void IdentitySecretRotate_ReplacesTheSecret()
    {
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "R", "--json").Out, Json.Options)!;
        var before = DateTimeOffset.UtcNow;
        var answer = JsonDocument.Parse(Run("identity-secret", "rotate", "--workspace", created.WorkspaceId, "--json").Out).RootElement;
        var rotated = answer.GetProperty("identitySecret").GetString();
        var list = Run("workspaces", "list", "--json");
        string? previous;
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}"))
            previous = Dapper.SqlMapper.ExecuteScalar<string>(c, "SELECT previous_identity_secret FROM workspaces WHERE id = @Id", new { Id = created.WorkspaceId });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated, Is.Not.EqualTo(created.IdentitySecret).And.StartsWith("ids_"));
            Assert.That(previous, Is.EqualTo(created.IdentitySecret), "the old secret keeps verifying for the window");
            Assert.That(answer.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() - before,
                Is.InRange(TimeSpan.FromHours(23), TimeSpan.FromHours(25)));
            Assert.That(list.Code, Is.Zero);
            Assert.That(list.Out, Does.Contain(created.WorkspaceId).And.Not.Contain(rotated!));
        }
    }

    [TestCase("workspaces")]
    [TestCase("workspaces", "create")]
    [TestCase("workspaces", "create", "--name")]
    [TestCase("workspaces", "create", "--name", "X", "--origin", "not-an-origin")]
    [TestCase("workspaces", "create", "--name", "X", "--bogus")]
    [TestCase("keys", "revoke", "--workspace", "ws_missing", "--key", "k")]
    [TestCase("keys", "create")]
    [TestCase("frobnicate")]
    public void BadArguments_ExitNonZeroWithUsage(params string[] args)
    {
        var (code, _, err) = PulseCli.IsCommand(args) ? Run(args) : (2, "", "Usage");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("Usage"));
        }
    }

    [Test]
    [Category(TestCategories.Process)]
    public async Task RealProcess_WorkspacesCreate_ThenServe_KeysWork()
    {
        var (code, output, err) = await ApiProcess.RunCliAsync(_db, "workspaces", "create", "--name", "Proc", "--origin", "https://proc.test", "--json");
        Assert.That(code, Is.Zero, err);
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(output, Json.Options)!;

        using var api = await ApiProcess.StartAsync(_db);
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", created.SecretKey);
        var workspace = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);
        Assert.That(workspace!.Name, Is.EqualTo("Proc"));

        var bad = await ApiProcess.RunCliAsync(_db, "workspaces", "create");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
    }

    [TestCase("--name", "Acme\u001b[2J")]
    [TestCase("--name", "Acme\nsecond line")]
    [TestCase("--product-name", "Recruit\u0007")]
    public void WorkspacesCreate_WithControlCharactersInANames_IsRefused_AndCreatesNothing(string option, string value)
    {
        var args = option == "--name" ? new[] { "workspaces", "create", "--name", value } : ["workspaces", "create", "--name", "Acme", option, value];

        var (code, output, error) = Run(args);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain($"{option} must not contain control characters"));
            Assert.That(Run("workspaces", "list").Out, Does.Contain("No workspaces."));
            Assert.That(output, Is.Empty);
        }
    }

    [Test]
    public void ListsAndErrors_EscapeWhatATerminalWouldRun()
    {
        // Rows written before names were checked, or by a tool that does not check them.
        const string Evil = "Evil\u001b]0;pwned\u0007\u001b[2J\r\u202e";
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "Plain", "--json").Out, Json.Options)!;
        using (var c = new Pulse.Api.Storage.Db($"Data Source={_db}", _dir.Path).Open())
        {
            Dapper.SqlMapper.Execute(c, "UPDATE workspaces SET name = @Evil", new { Evil });
            Dapper.SqlMapper.Execute(c, "UPDATE secret_keys SET hint = @Evil", new { Evil });
        }

        var workspaces = Run("workspaces", "list");
        var keys = Run("keys", "list", "--workspace", created.WorkspaceId);
        var unknown = Run("keys", "list", "--workspace", "ws_\u001b[31mred");
        var json = Run("workspaces", "list", "--json");

        using (Assert.EnterMultipleScope())
        {
            foreach (var printed in new[] { workspaces.Out, keys.Out, unknown.Err, json.Out })
                Assert.That(printed.Where(ch => char.IsControl(ch) && ch is not ('\n' or '\r') || ch == '\u202e'), Is.Empty, printed);
            Assert.That(workspaces.Out, Does.Contain(@"Evil\u001b]0;pwned\u0007\u001b[2J\u000d\u202e"));
            Assert.That(keys.Out, Does.Contain(@"Evil\u001b]0;pwned"));
            Assert.That(unknown.Err, Does.Contain(@"No workspace 'ws_\u001b[31mred'"));
            Assert.That(JsonSerializer.Deserialize<WorkspaceResponse[]>(json.Out, Json.Options)![0].Name, Is.EqualTo(Evil));
        }
    }

    [Test]
    public async Task MembersInvite_PrintsALinkThatWorks_ListSetRoleRemove_KeepTheLastOwner()
    {
        var ws = JsonSerializer.Deserialize<CreatedWorkspace>(Run("workspaces", "create", "--name", "Acme", "--json").Out, Json.Options)!;
        var invite = Run("members", "invite", "--workspace", ws.WorkspaceId, "--email", "Olivia@Acme.test", "--role", "owner", "--url", "https://pulse.acme.test/");
        var link = invite.Out.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("https://", StringComparison.Ordinal));
        var token = link[(link.IndexOf("#/link/", StringComparison.Ordinal) + 7)..];
        using (var app = new PulseFactory(databasePath: _db))
        {
            using var http = app.CookieClient();
            var accepted = await (await http.PostAsync("/dashboard/api/links/accept", Json.Of(new { token, name = "Olivia", password = TeamData.Password })))
                .ReadJson<SessionResponse>();
            Assert.That(accepted.Role, Is.EqualTo(Roles.Owner));
        }
        var demoteLast = Run("members", "set-role", "--workspace", ws.WorkspaceId, "--email", "olivia@acme.test", "--role", "admin");
        var removeLast = Run("members", "remove", "--workspace", ws.WorkspaceId, "--email", "olivia@acme.test");
        Run("members", "invite", "--workspace", ws.WorkspaceId, "--email", "sam@acme.test", "--role", "viewer");
        var list = Run("members", "list", "--workspace", ws.WorkspaceId);
        var badRole = Run("members", "invite", "--workspace", ws.WorkspaceId, "--email", "x@acme.test", "--role", "root");
        var reset = Run("members", "reset-password", "--email", "olivia@acme.test", "--json");
        var readKey = JsonDocument.Parse(Run("keys", "create", "--workspace", ws.WorkspaceId, "--scope", "read", "--json").Out).RootElement;
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}");
        c.Open();
        var actions = c.Query<string>("SELECT action FROM audit_log WHERE actor_type = 'cli' ORDER BY id").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(invite.Code, Is.Zero, invite.Err);
            Assert.That(link, Does.StartWith("https://pulse.acme.test/dashboard#/link/inv_"));
            Assert.That(demoteLast.Code, Is.EqualTo(2));
            Assert.That(demoteLast.Err, Does.Contain("last owner"));
            Assert.That(removeLast.Code, Is.EqualTo(2));
            Assert.That(list.Out, Does.Contain("olivia@acme.test  owner").And.Contain("(invited) sam@acme.test  viewer"));
            Assert.That(badRole.Code, Is.EqualTo(2));
            Assert.That(JsonDocument.Parse(reset.Out).RootElement.GetProperty("kind").GetString(), Is.EqualTo("reset"));
            Assert.That(readKey.GetProperty("scope").GetString(), Is.EqualTo("read"));
            Assert.That(actions, Is.EqualTo(new[] { "member.invited", "member.invited", "member.password_reset_link", "key.created" }));
        }
    }
}
