using System.Text.Json;
using Dapper;
using Pulse.Api.Cli;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary><c>members …</c> and <c>keys create --scope read</c> on the command line: links that work against the running API, the last-owner rule, the audit entries.</summary>
public sealed class MemberCliTests
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
