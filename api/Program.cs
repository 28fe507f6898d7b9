using Pulse.Api.Analytics;
using Pulse.Api.Cli;
using Pulse.Api.Dashboard;
using Pulse.Api.Eligibility;
using Pulse.Api.Email;
using Pulse.Api.FollowUps;
using Pulse.Api.Links;
using Pulse.Api.Operations;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Team;
using Pulse.Api.Webhooks;
using Pulse.Api.Widget;
using Pulse.Api.Workspaces;

if (PulseCli.IsCommand(args))
    return PulseCli.Run(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(PulseCli.HostArgs(args));
// The order of these lines is the order of the hosted services: they start in it and stop in
// reverse. Storage (migrations, then the writer) comes before AddPulseAuth (demo workspace seeder)
// and AddPulseWebhooks (dispatcher: starts after the writer, stops before it). StartupOrderTests
// checks it; docs/architecture.md, "Start-up".
builder.AddPulseOperations();
builder.AddPulseStorage();
builder.AddPulseAuth();
builder.AddTeam();
builder.AddSurveys();
builder.AddEligibility();
builder.AddResponses();
builder.AddPrivacy();
builder.AddPulseWebhooks();
builder.AddAnalytics();
builder.AddFollowUps();
builder.AddLinks();
builder.AddPulseEmail();
builder.AddWidget();
builder.AddDashboard();

var app = builder.Build();
if (PulseCli.IsHostCommand(args))
    return await PulseCli.RunHostCommandAsync(app.Services, args, Console.Out, Console.Error);

// The options that must hold to serve (ValidateOnStart) are checked before the host runs, as
// Host.StartAsync would first thing: a host whose start fails is disposed before its exception
// leaves Run, so a caller holding it (WebApplicationFactory's deferred host) could see "disposed"
// in place of the reason (docs/decisions.md F13).
app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();

app.UsePulseOperations();
app.MapOperations();
app.MapWorkspaces();
app.MapKeys();
app.MapMembers();
app.MapAuditLog();
app.MapSessions();
app.MapSurveys();
app.MapEligibility();
app.MapResponses();
app.MapPrivacy();
app.MapWebhooks();
app.MapAnalytics();
app.MapFollowUps();
app.MapTags();
app.MapLinks();
app.MapEmail();
app.MapSurveyEmails();
app.MapWidget();
app.MapDashboard();
var addresses = ListenFailure.Addresses(app);
try
{
    app.Run();
}
catch (Exception ex) when (ListenFailure.Describe(ex, addresses) is { } line)
{
    Console.Error.WriteLine(line);
    return 1;
}
return 0;

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
