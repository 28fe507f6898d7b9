using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

/// <summary>
/// NUnit base for the fixtures of what a user answers (responses, declines, opt-outs): one
/// in-process API per fixture with a <see cref="RecordingHook"/> that sees every write, workspace
/// Acme allowing <see cref="Origin"/>, workspace Globex on another origin (for isolation checks),
/// and a browser client on <see cref="Origin"/>; on SQLite unless the fixture names another provider.
/// </summary>
public abstract class AnswerFixture(StorageProvider provider = StorageProvider.Sqlite)
{
    protected const string Origin = "https://app.acme.test";
    protected readonly RecordingHook _hook = new();
    protected PulseFactory _app = null!;
    protected CreatedWorkspace _acme = null!;
    protected CreatedWorkspace _globex = null!;
    protected HttpClient _browser = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _app = new PulseFactory(services: s => s.AddWriteHook(_hook), provider: provider);
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _globex = _app.CreateWorkspace("Globex", ["https://globex.test"]);
        _browser = _app.BrowserClient(Origin);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _browser.Dispose();
        _app.Dispose();
    }
}
