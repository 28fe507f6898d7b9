using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>The database holds secrets and personal data: its folder is created 0700, the file and its -wal/-shm 0600.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FilePermissionsTests
{
    const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Test]
    public void NewDatabase_FolderIs0700_FileWalAndShmAre0600()
    {
        if (OperatingSystem.IsWindows())
            Assert.Ignore("Unix file modes only.");
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "data", "nested", "pulse.db");
        var db = new Db($"Data Source={path}", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        using var writer = db.OpenWriter();
        writer.Execute("INSERT INTO storage_probe (pad) VALUES (x'00')");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(path)!), Is.EqualTo(Owner | UnixFileMode.UserExecute));
            Assert.That(File.GetUnixFileMode(Path.Combine(dir.Path, "data")), Is.EqualTo(Owner | UnixFileMode.UserExecute));
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(Owner));
            Assert.That(File.GetUnixFileMode(path + "-wal"), Is.EqualTo(Owner));
            Assert.That(File.GetUnixFileMode(path + "-shm"), Is.EqualTo(Owner));
        }
    }

    [Test]
    [Category("Process")]
    public async Task DatabaseCreatedByTheCommandLine_Is0600()
    {
        if (OperatingSystem.IsWindows())
            Assert.Ignore("Unix file modes only.");
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "cli", "pulse.db");
        var (code, _, err) = await ApiProcess.RunCliAsync(dir.File("unused.db"), "workspaces", "create", "--name", "Acme", "--db", path);
        Assert.That(code, Is.Zero, err);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(Owner));
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(path)!), Is.EqualTo(Owner | UnixFileMode.UserExecute));
        }
    }
}
