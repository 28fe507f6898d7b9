using Microsoft.Extensions.Logging;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// The real API with one workspace (identity verification off, origin https://app.acme.test) and a
/// secret-key client, for tests of bad input: after each test, nothing may have been logged as an error.
/// </summary>
public abstract class ContractFixture
{
    protected const string Origin = "https://app.acme.test";

    protected PulseFactory App { get; private set; } = null!;
    protected CreatedWorkspace Workspace { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;
    protected ErrorLog Log { get; } = new();

    [OneTimeSetUp]
    public void StartApi()
    {
        App = new PulseFactory(services: s => s.AddSingleton<ILoggerProvider>(Log));
        _ = App.Server;
        Workspace = App.CreateWorkspace(GetType().Name, [Origin], requireUserHash: false);
        Http = App.SecretClient(Workspace.SecretKey);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        Http.Dispose();
        App.Dispose();
    }

    [TearDown]
    public void NoErrorLogged() => Assert.That(Log.Errors, Is.Empty);
}
