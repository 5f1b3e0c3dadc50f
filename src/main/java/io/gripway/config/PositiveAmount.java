package io.gripway.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * A {@link Duration} or {@link DataSize} setting must be more than zero (or, with {@code orZero}, at least zero):
 * Jakarta's {@code @Positive} only knows numbers.
 */
@Documented
@Constraint(validatedBy = PositiveAmount.Validator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@interface PositiveAmount {

	String message() default "must be more than zero";

	/** Zero is allowed too (it switches the feature off, say). */
	boolean orZero() default false;

	Class<?>[] groups() default {};

	Class<? extends Payload>[] payload() default {};

	/** Checks both types; any other type is a programming error. */
	final class Validator implements ConstraintValidator<PositiveAmount, Object> {

		private boolean orZero;

		@Override
		public void initialize(PositiveAmount annotation) {
			this.orZero = annotation.orZero();
		}

		@Override
		public boolean isValid(@Nullable Object value, ConstraintValidatorContext context) {
			if (value == null) {
				return true;
			}
			long sign = sign(value);
			if (this.orZero && sign < 0) {
				context.disableDefaultConstraintViolation();
				context.buildConstraintViolationWithTemplate("must be zero or more").addConstraintViolation();
				return false;
			}
			return sign > 0 || (this.orZero && sign == 0);
		}

		private static long sign(Object value) {
			if (value instanceof Duration duration) {
				return duration.isNegative() ? -1 : (duration.isZero() ? 0 : 1);
			}
			if (value instanceof DataSize size) {
				return Long.signum(size.toBytes());
			}
			throw new IllegalArgumentException("@PositiveAmount is for Duration and DataSize, not " + value.getClass());
		}

	}

}
