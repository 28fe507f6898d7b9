using Pulse.Api.Analytics;
using Pulse.Api.Email;
using Pulse.Api.FollowUps;
using Pulse.Api.Team;

namespace Pulse.Tests.Email;

/// <summary>The emails' two parts (HTML escaped, text as written) and when digests are due, in the member's zone.</summary>
public sealed class EmailTemplatesTests
{
    const string Hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    [Test]
    public void FollowUpEmail_EscapesTheCommentAndTheUser_InHtml_AndKeepsThemInText()
    {
        var f = new FollowUpRow
        {
            Id = "fu_1", AssigneeId = "mem_1", AssigneeEmail = "dana@acme.test", ResponseId = 42, SurveyId = "srv_1", UserId = "u<b>1</b>",
            Score = 2, Category = "detractor", Comment = Hostile, DueAt = PulseFactoryNow,
        };
        var email = EmailTemplates.FollowUpAssigned("ws_1", f, "NPS & more", "https://pulse.acme.test/dashboard");
        Assert.Multiple(() =>
        {
            Assert.That(email.Recipient, Is.EqualTo("dana@acme.test"));
            Assert.That(email.Html, Does.Not.Contain("<script>").And.Not.Contain("<img").And.Not.Contain("<b>1"));
            Assert.That(email.Html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;").And.Contain("NPS &amp; more"));
            Assert.That(email.Html, Does.Contain("href=\"https://pulse.acme.test/dashboard#/responses/42\""));
            Assert.That(email.Text, Does.Contain(Hostile).And.Contain("https://pulse.acme.test/dashboard#/responses/42"));
        });
    }

    [Test]
    public void LinkEmails_CarryTheLinkInBothParts_AndEscapeTheWorkspaceName()
    {
        var link = new LinkCreated("ws_1", "<Acme>", "mem_1", "dana@acme.test", "invite", "analyst", "https://p.test/dashboard#/link/inv_abc", PulseFactoryNow,
            "olivia@acme.test", PulseFactoryNow);
        var invite = EmailTemplates.Link(link);
        var reset = EmailTemplates.Link(link with { Kind = "reset", Role = null });
        Assert.Multiple(() =>
        {
            Assert.That(invite.Kind, Is.EqualTo(EmailKinds.Invitation));
            Assert.That(reset.Kind, Is.EqualTo(EmailKinds.PasswordReset));
            Assert.That(invite.Html, Does.Contain("&lt;Acme&gt;").And.Not.Contain("<Acme>"));
            foreach (var part in new[] { invite.Html, invite.Text, reset.Html, reset.Text })
                Assert.That(part, Does.Contain("https://p.test/dashboard#/link/inv_abc"));
        });
    }

    [Test]
    public void Digest_EscapesWhatComesFromData_AndShowsTheChange()
    {
        var report = new DigestReport("<Acme>", DigestFrequency.Weekly, PulseFactoryNow - 7 * 86_400_000L, PulseFactoryNow, TimeZoneInfo.Utc,
            new NpsStats { Nps = 20, Responses = 10, Displays = 40, ResponseRate = 0.25 }, new NpsStats { Nps = 30, Responses = 8 },
            1, [new DigestDetractor(7, 1, "eve@x.test", Hostile)], 1, [new DigestOverdue(8, 3, "<u>", PulseFactoryNow, "<Dana>")],
            [new DigestAccount("acme", "<Acme Corp>", 80, 55, "watch")]);
        var (subject, html, text) = EmailTemplates.Digest(report, "https://p.test/dashboard");
        Assert.Multiple(() =>
        {
            Assert.That(subject, Is.EqualTo("<Acme>: NPS 20 this week"));
            Assert.That(html, Does.Not.Contain("<script>").And.Not.Contain("<img").And.Not.Contain("<Acme").And.Not.Contain("<u>").And.Not.Contain("<Dana>"));
            Assert.That(html, Does.Contain("-10 vs the previous week").And.Contain("25%").And.Contain("&lt;Acme Corp&gt;: 80 → <strong>55</strong>"));
            Assert.That(text, Does.Contain("NPS 20 (-10 vs the previous week)").And.Contain(Hostile).And.Contain("https://p.test/dashboard#/responses/7"));
        });
    }

    static readonly long PulseFactoryNow = Support.PulseFactory.DefaultNow.ToUnixTimeMilliseconds();

    [Test]
    public void LastSlot_IsTheChosenHourInTheMembersZone_DailyOrOnTheChosenWeekday()
    {
        var paris = DigestSchedule.Zone("Europe/Paris")!;
        var now = new DateTimeOffset(2026, 3, 4, 7, 30, 0, TimeSpan.Zero); // Wednesday 08:30 in Paris
        Assert.Multiple(() =>
        {
            Assert.That(DigestSchedule.LastSlot(DigestFrequency.Daily, 0, 8, paris, now), Is.EqualTo(new DateTimeOffset(2026, 3, 4, 7, 0, 0, TimeSpan.Zero)));
            Assert.That(DigestSchedule.LastSlot(DigestFrequency.Daily, 0, 9, paris, now), Is.EqualTo(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero)));
            // Monday 08:00 Paris: two days ago.
            Assert.That(DigestSchedule.LastSlot(DigestFrequency.Weekly, 1, 8, paris, now), Is.EqualTo(new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero)));
            // Wednesday 09:00 Paris is still to come: last week's.
            Assert.That(DigestSchedule.LastSlot(DigestFrequency.Weekly, 3, 9, paris, now), Is.EqualTo(new DateTimeOffset(2026, 2, 25, 8, 0, 0, TimeSpan.Zero)));
            Assert.That(DigestSchedule.Zone("Mars/Olympus"), Is.Null);
        });
    }

    [Test]
    public void LastSlot_AnHourSkippedByDaylightSaving_IsTakenAnHourLater_AndThePeriodIsLocalDays()
    {
        var newYork = DigestSchedule.Zone("America/New_York")!;
        // 8 March 2026: clocks go from 02:00 to 03:00 EST→EDT; 02:00 does not exist that day.
        var now = new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero);
        var slot = DigestSchedule.LastSlot(DigestFrequency.Daily, 0, 2, newYork, now);
        Assert.That(slot, Is.EqualTo(new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.Zero)), "03:00 EDT");
        var (from, to, previousFrom) = DigestSchedule.Period(DigestFrequency.Weekly, newYork, DigestSchedule.LastSlot(DigestFrequency.Weekly, 1, 9, newYork,
            new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero)));
        Assert.Multiple(() =>
        {
            Assert.That(DateTimeOffset.FromUnixTimeMilliseconds(to), Is.EqualTo(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero)), "Monday 09:00 EDT");
            Assert.That(DateTimeOffset.FromUnixTimeMilliseconds(from), Is.EqualTo(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero)), "the Monday before, 09:00 EST");
            Assert.That(DateTimeOffset.FromUnixTimeMilliseconds(previousFrom), Is.EqualTo(new DateTimeOffset(2026, 2, 23, 14, 0, 0, TimeSpan.Zero)));
        });
    }
}
