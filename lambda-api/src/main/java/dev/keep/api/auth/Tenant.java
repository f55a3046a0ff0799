package dev.keep.api.auth;

/** An authenticated caller. */
public record Tenant(String tenantId) {}
