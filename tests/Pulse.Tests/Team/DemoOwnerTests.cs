using Pulse.Api.Access;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>The demo owner of the README signs in in Development only, like the demo keys work only there.</summary>
public sealed class DemoOwnerTests
{
    [Test]
    public async Task TheDemoOwner_SignsInInDevelopment_AndTheSameFileRefusesItElsewhere()
    {
        using var dir = new TempDirectory();
        var path = dir.File("pulse.db");
        string cookie;
        SessionResponse session;
        using (var dev = new PulseFactory(new Dictionary<string, string?> { ["Demo:Enabled"] = "true" }, databasePath: path, environment: "Development"))
        {
            _ = dev.Server;
            using var http = dev.CookieClient();
            var response = await http.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = DemoWorkspace.Owner.Email, password = DemoWorkspace.Owner.Password }));
            session = await response.ReadJson<SessionResponse>();
            cookie = response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        }
        using var staging = new PulseFactory(databasePath: path, environment: "Staging");
        _ = staging.Server;
        using var anon = staging.CookieClient();
        var signIn = await anon.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = DemoWorkspace.Owner.Email, password = DemoWorkspace.Owner.Password }));
        using var replay = staging.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        replay.DefaultRequestHeaders.Add("Cookie", cookie);
        var replayed = await replay.GetAsync("/v1/workspace");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Role, Is.EqualTo(Roles.Owner));
            Assert.That(session.Workspaces.Select(w => w.Id), Is.EquivalentTo(DemoWorkspace.Specs.Select(s => s.Id)));
            Assert.That(signIn.Headers.Contains("Set-Cookie"), Is.False);
        }
        await signIn.AssertProblem(403);
        var detail = (await replayed.AssertProblem(401)).GetProperty("detail").GetString();
        Assert.That(detail, Is.EqualTo(DemoWorkspace.Refusal));
    }
}
