/**
 * Test support shared by test classes: real servers and fixtures.
 */
@NullMarked
package io.gripway.test;

import org.jspecify.annotations.NullMarked;
