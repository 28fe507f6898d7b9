using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using Pulse.Tests.Widget;

namespace Pulse.Tests.Client;

/// <summary>
/// The packages as published: <c>dotnet pack</c> into a folder, checked for what NuGet shows, then
/// restored from that folder (plus the machine's normal source) into a fresh ASP.NET project that
/// is built and run to call eligibility against the real API on loopback.
/// </summary>
[Category("Process")]
public sealed partial class PackageTests
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    TempDirectory _temp = null!;
    string _feed = null!;
    string _version = null!;

    [OneTimeSetUp]
    public async Task Pack()
    {
        _temp = new TempDirectory();
        _feed = Directory.CreateDirectory(_temp.File("feed")).FullName;
        _version = Version(typeof(Program).Assembly);
        var root = WidgetSizeTests.RepositoryRoot();
        // The test run has built both projects; pack what it built, as CI's `dotnet pack` would.
        foreach (var project in new[] { "client/Pulse.Client/Pulse.Client.csproj", "client/Pulse.Client.AspNetCore/Pulse.Client.AspNetCore.csproj" })
        {
            var (code, output) = await RunAsync(root, "dotnet", "pack", Path.Combine(root, project), "-c", Configuration, "--no-build", "-o", _feed);
            Assert.That(code, Is.Zero, output);
        }
    }

    [OneTimeTearDown]
    public void Clean() => _temp?.Dispose();

    static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Test]
    public void ThePackages_HaveTheApisVersion_ReadmeLicenseDocsAndRepository()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Version(typeof(Pulse.Client.PulseClient).Assembly), Is.EqualTo(_version), "one <Version> for the API and the client");
            foreach (var id in new[] { "Pulse.Client", "Pulse.Client.AspNetCore" })
            {
                var path = Path.Combine(_feed, $"{id}.{_version}.nupkg");
                Assert.That(File.Exists(path), Is.True, string.Join(", ", Directory.GetFiles(_feed)));
                using var package = ZipFile.OpenRead(path);
                var entries = package.Entries.Select(e => e.FullName).ToList();
                Assert.That(entries, Is.SupersetOf(new[] { "README.md", "LICENSE", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" }));
                using var nuspecStream = package.GetEntry($"{id}.nuspec")!.Open();
                var nuspec = XDocument.Load(nuspecStream).Root!;
                var ns = nuspec.Name.Namespace;
                var metadata = nuspec.Element(ns + "metadata")!;
                Assert.That(metadata.Element(ns + "version")!.Value, Is.EqualTo(_version));
                Assert.That(metadata.Element(ns + "license")!.Value, Is.EqualTo("MIT"));
                Assert.That(metadata.Element(ns + "readme")!.Value, Is.EqualTo("README.md"));
                Assert.That(metadata.Element(ns + "repository")?.Attribute("type")?.Value, Is.EqualTo("git"));
                Assert.That(metadata.Element(ns + "description")!.Value, Is.Not.Empty);
                var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
                Assert.That(dependencies, Has.All.StartsWith("Microsoft.Extensions.").Or.StartsWith("Pulse.Client"),
                    "no dependency beyond Microsoft.Extensions.* (System.Text.Json is in the framework)");
                TestContext.Out.WriteLine($"{id}.{_version}.nupkg: {new FileInfo(path).Length:N0} bytes");
            }
        }
    }

    [GeneratedRegex("eligibility: True eligible (dt_[A-Za-z0-9]+)")]
    private static partial Regex EligibleLine();

    [Test]
    public async Task AFreshProject_RestoresThePackages_AndCallsEligibility()
    {
        using var pulse = new PulseFactory(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        pulse.StartKestrel();
        var workspace = pulse.CreateWorkspace("Acme HR", ["https://app.acme.test"], requireUserHash: true);
        var app = Directory.CreateDirectory(_temp.File("app")).FullName;
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // The local folder plus the machine's normal source (not cleared). Packages are extracted into
        // the test's own folder, with the machine's cache as a read-only fallback, so an older build of
        // this version never comes back from the cache and the cache is left untouched.
        await File.WriteAllTextAsync(Path.Combine(app, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pulse-local" value="{_feed}" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{_temp.File("packages")}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "VendorSite.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Pulse.Client.AspNetCore" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Microsoft.Extensions.Options;
            using Pulse.Client;
            using Pulse.Client.AspNetCore;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddPulse();
            using var host = builder.Build();
            await host.StartAsync();
            var user = new PulseUser(args[0])
            {
                CreatedAt = DateTimeOffset.UtcNow.AddDays(-400),
                Traits = new Dictionary<string, TraitValue> { ["plan"] = "premium", ["arr"] = 48000 },
            };
            var result = await host.Services.GetRequiredService<IPulseClient>().CheckEligibilityAsync(new EligibilityCheck(user));
            Console.WriteLine($"eligibility: {result.Eligible} {result.Reason} {result.DisplayToken}");
            Console.WriteLine("snippet: " + PulseSnippet.Html(host.Services.GetRequiredService<IOptions<PulseOptions>>().Value, user, "n0nce"));
            await host.StopAsync();
            """);

        var (built, buildOutput) = await RunAsync(app, "dotnet", "build", "--disable-build-servers", "-nologo");
        Assert.That(built, Is.Zero, buildOutput);
        var (ran, output) = await RunAsync(app, new Dictionary<string, string>
        {
            ["Pulse__BaseUrl"] = pulse.Address!.ToString(),
            ["Pulse__SiteKey"] = workspace.SiteKey,
            ["Pulse__SecretKey"] = workspace.SecretKey,
            ["Pulse__IdentitySecret"] = workspace.IdentitySecret,
        }, "dotnet", Path.Combine(app, "bin", "Debug", "net10.0", "VendorSite.dll"), "usr_from_the_package");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ran, Is.Zero, output);
            Assert.That(EligibleLine().IsMatch(output), Is.True, output);
            Assert.That(output, Does.Contain("<script nonce=\"n0nce\">"));
            Assert.That(output, Does.Contain($"\"userHash\":\"{Keys.UserHash(workspace.IdentitySecret, "usr_from_the_package")}\""));
            Assert.That(Directory.Exists(_temp.File(Path.Combine("packages", "pulse.client", _version))), Is.True, "restored from the local folder");
        }
    }

    static Task<(int Code, string Output)> RunAsync(string directory, string file, params string[] args) =>
        RunAsync(directory, new Dictionary<string, string>(), file, args);

    static Task<(int Code, string Output)> RunAsync(string directory, IDictionary<string, string> environment, string file, params string[] args)
    {
        var all = new Dictionary<string, string>(environment)
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        // MSBuild settings of the test run's own build must not leak into the child build.
        return Shell.RunAsync(file, args, directory, all,
            unsetEnvironment: name => name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase));
    }
}
