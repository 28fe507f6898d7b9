using System.Net;
using System.Net.Sockets;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>The command line and the process, run for real: typos print the usage, a taken port is one clear line.</summary>
[Category("Process")]
public sealed class ProcessTests
{
    TempDirectory _dir = null!;
    string _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = _dir.File("p.db");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [TestCase("workspace", "create", "--name", "Acme")]
    [TestCase("key", "list", "--workspace", "ws_1")]
    [TestCase("serve")]
    public async Task UnknownFirstWord_PrintsTheUsageAndExits2_WithoutStartingAServer(params string[] args)
    {
        var (code, stdout, stderr) = await ApiProcess.RunCliAsync(_db, [.. args, "--urls", $"http://127.0.0.1:{ApiProcess.FreeLoopbackPort()}"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stdout + stderr);
            Assert.That(stderr, Does.Contain($"Unknown command '{args[0]}'").And.Contain("Usage:"));
            Assert.That(File.Exists(_db), Is.False, "nothing was opened or created");
        }
    }

    [Test]
    public async Task WorkspaceSingular_SuggestsThePlural()
    {
        var (_, _, stderr) = await ApiProcess.RunCliAsync(_db, "workspace", "create", "--name", "Acme");
        Assert.That(stderr, Does.Contain("Did you mean 'workspaces'?"));
    }

    [Test]
    public async Task SecondServerOnAPortInUse_PrintsOneLineNamingTheAddress_AndExits1()
    {
        using var first = await ApiProcess.StartAsync(_db);
        var address = first.Address.ToString().TrimEnd('/');

        var (code, stdout, stderr) = await ApiProcess.RunCliAsync(_db, "--urls", address);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1), stdout + stderr);
            Assert.That(lines, Has.Length.EqualTo(1), stderr);
            Assert.That(lines.FirstOrDefault(), Does.Contain(address).And.Contain("already in use").And.Contain("--urls"));
            Assert.That(stdout + stderr, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "no stack trace");
        }
        using var http = new HttpClient { BaseAddress = first.Address };
        Assert.That((await http.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the first server is untouched");
    }

    [Test]
    public async Task ManagementPortInUse_PrintsOneLineNamingTheSetting_AndExits1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var management = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (code, stdout, stderr) = await ApiProcess.RunCliAsync(_db,
            "--urls", $"http://127.0.0.1:{ApiProcess.FreeLoopbackPort()}", "--Operations:ManagementUrl", management);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1), stdout + stderr);
            Assert.That(stderr.Trim(), Does.Contain(management).And.Contain("Operations:ManagementUrl").And.Not.Contain("\n"));
            Assert.That(stdout + stderr, Does.Not.Contain("   at "), "no stack trace");
        }
    }
}
