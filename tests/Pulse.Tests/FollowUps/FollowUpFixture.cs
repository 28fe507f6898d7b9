using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>A fresh API and workspace per test on the fixture's storage provider, a full key, and end users who answer through the public endpoint.</summary>
public abstract class FollowUpFixture(StorageProvider provider)
{
    protected PulseFactory App { get; private set; } = null!;
    protected CreatedWorkspace Workspace { get; private set; } = null!;
    protected HttpClient Key { get; private set; } = null!;
    protected HttpClient Widget { get; private set; } = null!;

    [SetUp]
    public void StartApi()
    {
        App = new PulseFactory(provider: provider);
        _ = App.Server;
        Workspace = App.CreateWorkspace("Acme");
        Key = App.SecretClient(Workspace.SecretKey);
        Widget = App.BrowserClient();
    }

    [TearDown]
    public void StopApi()
    {
        Key.Dispose();
        Widget.Dispose();
        App.Dispose();
    }

    /// <summary>A user answers <paramref name="score"/> through the public endpoint; returns the response id.</summary>
    protected async Task<long> Answer(string userId, int score, string traits = "{}", string? comment = null)
    {
        var (_, token) = App.CreateDisplay(Workspace.WorkspaceId, userId, traitsJson: traits);
        var saved = await (await Widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score, comment }))).ReadJson<SavedResponse>(201);
        return saved.Id;
    }
}
