using Pulse.Api.Storage;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Pulse.Api.Access;
using Pulse.Api.Operations;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>
/// Every endpoint of the application, found from its routing metadata (so a new one is covered at
/// once), names a permission or is marked public; and every role and key scope gets, on every
/// endpoint, either a 403 problem naming the missing permission or an answer that is not a 403 —
/// exactly as <see cref="Permissions.Table"/> says.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class PermissionTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Roles");
        foreach (var role in Roles.All)
            _app.AddMember(_ws.WorkspaceId, $"{role}@acme.test", role);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    IEnumerable<RouteEndpoint> Endpoints() =>
        _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    static string Describe(RouteEndpoint e) =>
        $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} /{e.RoutePattern.RawText?.TrimStart('/')}";

    [Test]
    public void EveryEndpoint_NamesAPermissionOfTheTable_OrIsMarkedPublic()
    {
        var endpoints = Endpoints().ToList();
        var unmarked = endpoints.Where(e => e.Metadata.GetMetadata<PermissionMetadata>() is null && e.Metadata.GetMetadata<PublicMetadata>() is null)
            .Select(Describe).ToList();
        var both = endpoints.Where(e => e.Metadata.GetMetadata<PermissionMetadata>() is not null && e.Metadata.GetMetadata<PublicMetadata>() is not null)
            .Select(Describe).ToList();
        var policyMismatch = endpoints.Where(e => e.Metadata.GetMetadata<PermissionMetadata>() is { } p
                && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).SequenceEqual([p.Permission]))
            .Select(Describe).ToList();
        var publicWithPolicy = endpoints.Where(e => e.Metadata.GetMetadata<PublicMetadata>() is not null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0)
            .Select(Describe).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unmarked, Is.Empty, "endpoints without RequirePermission(…) or Public(…)");
            Assert.That(both, Is.Empty, "endpoints both public and guarded");
            Assert.That(policyMismatch, Is.Empty, "the policy an endpoint runs is exactly its permission's");
            Assert.That(publicWithPolicy, Is.Empty, "public endpoints run no policy");
            Assert.That(endpoints.Count(e => e.Metadata.GetMetadata<PermissionMetadata>() is not null), Is.GreaterThan(30));
            Assert.That(Permissions.All.Except(endpoints.Select(e => e.Metadata.GetMetadata<PermissionMetadata>()?.Permission)), Is.Empty,
                "every permission of the table guards an endpoint");
        }
    }

    [Test]
    public void TheTable_MatchesTheRolesTheIssueDescribes()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Permissions.All.Where(p => !Permissions.Allows(p, Roles.Owner, null)), Is.EquivalentTo(Array.Empty<string>()), "owners do everything");
            Assert.That(Permissions.OfRole(Roles.Admin), Does.Not.Contain(Permissions.ManageKeys).And.Not.Contain(Permissions.ManageMembers)
                .And.Contain(Permissions.ManageSurveys).And.Contain(Permissions.ManageWebhooks).And.Contain(Permissions.ManageWorkspace).And.Contain(Permissions.ReadAudit));
            Assert.That(Permissions.OfRole(Roles.Analyst).Where(p => p.EndsWith(":manage", StringComparison.Ordinal) || p == Permissions.EraseUsers),
                Is.EquivalentTo(new[] { Permissions.ManageFollowUps, Permissions.ManageTags }), "analysts change nothing but follow-ups and tags");
            Assert.That(Permissions.OfRole(Roles.Viewer), Does.Contain(Permissions.ReadFollowUps).And.Not.Contain(Permissions.ManageFollowUps));
            Assert.That(Permissions.OfRole(Roles.Analyst), Does.Contain(Permissions.ExportResponses));
            Assert.That(Permissions.OfRole(Roles.Viewer), Does.Not.Contain(Permissions.ExportResponses).And.Not.Contain(Permissions.ReadWebhooks));
            Assert.That(Permissions.All.Where(p => Permissions.Allows(p, null, KeyScopes.Read) && !Permissions.Allows(p, Roles.Analyst, null)), Is.Empty,
                "a read key reads no more than an analyst");
            Assert.That(Permissions.All.Where(p => p != Permissions.Account && !Permissions.Allows(p, null, KeyScopes.Full)), Is.Empty,
                "a full key does all a key did before roles");
        }
    }

    /// <summary>A caller: a member of a role (signed in, sending the CSRF token) or a key of a scope.</summary>
    sealed record Caller(string Name, string? Role, string? Scope);

    static readonly Caller[] Callers =
    [
        .. Roles.All.Select(r => new Caller(r, r, null)),
        new Caller("full key", null, KeyScopes.Full),
        new Caller("read key", null, KeyScopes.Read),
    ];

    async Task<HttpClient> Client(Caller caller)
    {
        if (caller.Role is not null)
            return await _app.MemberClient($"{caller.Role}@acme.test");
        string key;
        using (var c = _app.Db.Open())
        using (var tx = c.BeginTransaction(deferred: false))
        {
            key = WorkspaceStore.AddKey(c, tx, _ws.WorkspaceId, 0, scope: caller.Scope!).SecretKey;
            tx.Commit();
        }
        return _app.SecretClient(key);
    }

    static HttpRequestMessage Request(string method, RouteEndpoint e)
    {
        var path = "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "deliveryId" } => "999999",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart => "nope",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart s => s.Content,
            _ => "",
        }))));
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent("{}", new MediaTypeHeaderValue("application/json"));
        return request;
    }

    [Test]
    public async Task EveryRoleAndKeyScope_OnEveryEndpoint_GetsA403NamingThePermission_ExactlyWhenTheTableSaysNo()
    {
        var guarded = Endpoints().Where(e => e.Metadata.GetMetadata<PermissionMetadata>() is not null)
            // Signing out ends the session the other requests use: those go last, on their own session.
            .OrderBy(e => e.RoutePattern.RawText!.Contains("sign-out", StringComparison.Ordinal)).ToList();
        var wrong = new List<string>();
        var checkedCount = 0;
        foreach (var caller in Callers)
        {
            var http = await Client(caller);
            foreach (var endpoint in guarded)
            {
                var permission = endpoint.Metadata.GetMetadata<PermissionMetadata>()!.Permission;
                var signOut = endpoint.RoutePattern.RawText!.Contains("sign-out", StringComparison.Ordinal);
                if (signOut && caller.Role is not null)
                    http = await Client(caller);
                foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
                {
                    var response = await http.SendAsync(Request(method, endpoint));
                    var body = await response.Content.ReadAsStringAsync();
                    var allowed = Permissions.Allows(permission, caller.Role, caller.Scope);
                    var status = (int)response.StatusCode;
                    checkedCount++;
                    if (allowed && status is 401 or 403)
                        wrong.Add($"{caller.Name} {method} {endpoint.RoutePattern.RawText}: allowed ({permission}) but {status} {body}");
                    if (!allowed && (status != 403 || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                            || !JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!.Contains($"'{permission}'", StringComparison.Ordinal)))
                        wrong.Add($"{caller.Name} {method} {endpoint.RoutePattern.RawText}: lacks {permission} but {status} {body}");
                }
            }
            http.Dispose();
        }
        Assert.That(wrong, Is.Empty, string.Join("\n", wrong));
        Assert.That(checkedCount, Is.GreaterThan(6 * 30));
    }
}
