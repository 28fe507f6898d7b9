using Pulse.Api.Surveys;

namespace Pulse.Api.Responses;

/// <summary>The limits of a response and the check of a posted one. Pure: no I/O.</summary>
public static class ResponseRules
{
    /// <summary>Characters in a comment, counted in UTF-16 code units like an HTML <c>maxlength</c>.</summary>
    public const int MaxCommentLength = 5_000;

    /// <summary>Answers in <c>followUp</c>.</summary>
    public const int MaxFollowUpAnswers = 10;

    /// <summary>Characters in a <c>followUp</c> key (<c>A–Z a–z 0–9 _ - .</c>).</summary>
    public const int MaxFollowUpKeyLength = 64;

    /// <summary>Characters in one <c>followUp</c> answer.</summary>
    public const int MaxFollowUpAnswerLength = 1_000;

    /// <summary>Characters in <c>reasonOther</c>.</summary>
    public const int MaxReasonOtherLength = 1_000;

    /// <summary>
    /// Largest body accepted: room for the longest comment and follow-up answers even when every
    /// character is sent as a six-byte <c>\uXXXX</c> escape.
    /// </summary>
    public const long BodyLimitBytes = 128 * 1024;

    /// <summary>The errors of <paramref name="post"/> by JSON field name; empty when it is valid.</summary>
    public static Dictionary<string, string[]> Validate(ResponsePost post)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(post.DisplayToken))
            errors["displayToken"] = ["The display token from the eligibility answer is required."];
        if (post.Score is null)
            errors["score"] = ["A score from 0 to 10 is required."];
        else if (post.Score is < QuestionKinds.LowestScore or > QuestionKinds.HighestScore)
            errors["score"] = [$"The score must be a whole number from {QuestionKinds.LowestScore} to {QuestionKinds.HighestScore}; {post.Score} is not."];
        if (post.Comment is not null && CheckText(post.Comment, MaxCommentLength) is { } commentError)
            errors["comment"] = [commentError];
        if (post.FollowUp is { } followUp)
        {
            if (followUp.Count > MaxFollowUpAnswers)
                errors["followUp"] = [$"At most {MaxFollowUpAnswers} follow-up answers; {followUp.Count} were sent."];
            foreach (var (key, value) in followUp)
            {
                if (!IsFollowUpKey(key))
                    errors["followUp"] = [$"Follow-up keys are 1–{MaxFollowUpKeyLength} characters of A–Z, a–z, 0–9, '_', '-' and '.'."];
                else if (value is null)
                    errors[$"followUp.{key}"] = ["A follow-up answer is a string."];
                else if (CheckText(value, MaxFollowUpAnswerLength) is { } answerError)
                    errors[$"followUp.{key}"] = [answerError];
            }
        }
        if (post.Reasons is { } reasons)
        {
            if (reasons.Count > ReasonsValidation.MaxReasons + 1)
                errors["reasons"] = [$"At most {ReasonsValidation.MaxReasons + 1} reason ids (the list's and '{ReasonsValidation.OtherId}'); {reasons.Count} were sent."];
            else
                for (var i = 0; i < reasons.Count; i++)
                {
                    if (reasons[i] is not { } id || !(ReasonsValidation.IsReasonId(id) || id == ReasonsValidation.OtherId))
                        errors[$"reasons[{i}]"] = ["A reason id is a string of 1–32 characters of a-z, 0-9, '_', '-' (or 'other')."];
                    else if (reasons.Take(i).Contains(id))
                        errors[$"reasons[{i}]"] = [$"'{id}' is sent twice; send each reason once."];
                }
        }
        if (post.ReasonOther is not null)
        {
            if (CheckText(post.ReasonOther, MaxReasonOtherLength) is { } otherError)
                errors["reasonOther"] = [otherError];
            else if (post.Reasons is null || !post.Reasons.Contains(ReasonsValidation.OtherId))
                errors["reasonOther"] = [$"Send the text of \"Other\" with '{ReasonsValidation.OtherId}' among the reasons."];
        }
        return errors;
    }

    /// <summary>
    /// The errors of the reasons of <paramref name="post"/> against the question the display asked
    /// (<paramref name="question"/>, null for none) for a score of <paramref name="category"/>.
    /// </summary>
    public static Dictionary<string, string[]> ValidateReasons(ResponsePost post, SurveyReasons? question, string category)
    {
        var errors = new Dictionary<string, string[]>();
        if (post.Reasons is not { Count: > 0 } reasons)
            return errors;
        var list = question?.For(category) ?? [];
        if (list.Count == 0)
        {
            errors["reasons"] = [$"This survey asks no reasons of a {category}; leave 'reasons' out."];
            return errors;
        }
        for (var i = 0; i < reasons.Count; i++)
        {
            var id = reasons[i]!;
            if (id == ReasonsValidation.OtherId ? !question!.Other : list.All(r => r.Id != id))
                errors[$"reasons[{i}]"] = [id == ReasonsValidation.OtherId
                    ? "This survey offers no \"Other\" answer."
                    : $"'{id}' is not a reason this survey offers a {category}; choose among: {string.Join(", ", list.Select(r => r.Id))}{(question!.Other ? ", other" : "")}."];
        }
        if (!question!.Multiple && reasons.Count > 1)
            errors["reasons"] = ["This question takes one reason; send one id."];
        return errors;
    }

    /// <summary>Why <paramref name="score"/> is not on the scale of a survey of <paramref name="kind"/>, or null when it is.</summary>
    public static string? ScoreError(QuestionKind kind, int score) => kind.InRange(score)
        ? null
        : $"This survey asks {kind.Name}: the score must be a whole number from {kind.Min} to {kind.Max}; {score} is not.";

    /// <summary>The errors of a decline or opt-out that names a display token.</summary>
    public static Dictionary<string, string[]> ValidateToken(string? displayToken) =>
        string.IsNullOrEmpty(displayToken)
            ? new() { ["displayToken"] = ["The display token from the eligibility answer is required."] }
            : [];

    /// <summary>A comment as stored: blank means none.</summary>
    public static string? NormalizeComment(string comment) => string.IsNullOrWhiteSpace(comment) ? null : comment;

    static bool IsFollowUpKey(string key) =>
        key.Length is > 0 and <= MaxFollowUpKeyLength && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>Text is stored as sent, but it must fit and carry no control characters other than tab and line breaks.</summary>
    static string? CheckText(string text, int max)
    {
        if (text.Length > max)
            return $"At most {max} characters; {text.Length} were sent.";
        foreach (var c in text)
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return $"Control character U+{(int)c:X4} is not allowed.";
        return null;
    }
}
