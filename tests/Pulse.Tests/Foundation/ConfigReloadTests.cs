using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration.Json;
using Pulse.Api.Cli;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// Configuration is read at start and nothing watches the files (docs/decisions.md H13): a watch on the
/// content root also saw every write of the SQLite file under it.
/// </summary>
public sealed class ConfigReloadTests
{
    [Test]
    public void TheServedApp_ReadsItsJsonFilesWithoutWatchingThem()
    {
        using var app = new PulseFactory();
        var root = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        var json = root.Providers.OfType<JsonConfigurationProvider>().ToList();
        Assert.That(json.Select(p => p.Source.Path), Does.Contain("appsettings.json"), "the app's own file is read");
        Assert.That(json.Where(p => p.Source.ReloadOnChange).Select(p => p.Source.Path), Is.Empty,
            "no JSON source may reload on change: the watch would wake on every database write");
    }

    [Test]
    public void HostArgs_TurnReloadOff_UnlessTheOperatorChose()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PulseCli.HostArgs([]), Is.EqualTo(new[] { "--hostBuilder:reloadConfigOnChange=false" }));
            Assert.That(PulseCli.HostArgs(["--urls", "http://127.0.0.1:5090"]),
                Is.EqualTo(new[] { "--urls", "http://127.0.0.1:5090", "--hostBuilder:reloadConfigOnChange=false" }));
            Assert.That(PulseCli.HostArgs(["--hostBuilder:reloadConfigOnChange=true"]),
                Is.EqualTo(new[] { "--hostBuilder:reloadConfigOnChange=true" }), "the operator's choice is kept as given");
            Assert.That(PulseCli.HostArgs(["seed", "--db", "x.db"]).Last(), Is.EqualTo("--hostBuilder:reloadConfigOnChange=false"),
                "host commands build the same host");
        }
    }
}
