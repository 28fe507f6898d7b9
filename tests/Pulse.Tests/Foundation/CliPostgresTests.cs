using System.Net.Http.Json;
using System.Text.Json;
using Pulse.Api.Cli;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>The command line administers a PostgreSQL installation when its settings say so, like the server.</summary>
[Category(TestCategories.Process)]
public sealed class CliPostgresTests
{
    [Test]
    public async Task WorkspacesCreate_WithStorageProviderPostgres_InTheSettings_WritesToThePostgresDatabase()
    {
        using var app = new PulseFactory(provider: StorageProvider.Postgres);
        _ = app.Server;
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), JsonSerializer.Serialize(new
        {
            Storage = new { Provider = "postgres" },
            ConnectionStrings = new { Pulse = app.ConnectionString },
        }));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = PulseCli.Run(["workspaces", "create", "--name", "Globex", "--origin", "https://app.globex.test", "--json"], stdout, stderr,
            contentRoot: dir.Path);

        Assert.That(code, Is.Zero, stderr.ToString());
        var created = JsonSerializer.Deserialize<CreatedWorkspace>(stdout.ToString(), Json.Options)!;
        using var http = app.SecretClient(created.SecretKey);
        var workspace = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(workspace!.Id, Is.EqualTo(created.WorkspaceId), "the server on PostgreSQL knows the workspace");
            Assert.That(Directory.GetFiles(dir.Path, "*.db", SearchOption.AllDirectories), Is.Empty, "no SQLite file was made instead");
        }
    }
}
